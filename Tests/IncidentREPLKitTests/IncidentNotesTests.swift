#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
@testable import IncidentREPLKit
import Safeguards
import Testing

@Suite("IncidentNotes")
struct IncidentNotesTests {
    static func session() -> ReplayedSession {
        var session = ReplayedSession(name: "case-7")
        let events: [JournalEvent] = [
            .sessionStart(sampleStart),
            .user("Is 10.0.0.5 beaconing?"),
            .assistant(.init(text: "Yes.\u{1B}]52;c;ZXZpbA==\u{07} Every 60 s.\u{202E}")),
            .user("Which process?"),
            .assistant(.init(text: "Probably svch", status: .interrupted)),
        ]
        for (index, event) in events.enumerated() {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 1_795_557_665 + Double(index) * 60), event: event))
        }
        return session
    }

    @Test
    func markdownHasTitleSettingsTimesConversationAndFacts() {
        let notes = IncidentNotes.markdown(
            for: Self.session(), facts: ["IP 10.0.0.5 (victim)", "domain evil.example"], utcOffsetSeconds: 0
        )
        #expect(notes == """
            # Incident notes: case-7

            - Session: case-7
            - Provider: anthropic
            - Model: claude-sonnet-4-5
            - Role: triage
            - Started: 2026-11-24 22:01:05 +00:00
            - Last activity: 2026-11-24 22:05:05 +00:00
            - Redaction: none (secrets appear as typed; review before sharing)

            ## Case facts

            - IP 10.0.0[.]5 (victim)
            - domain evil[.]example

            ## Conversation

            ### Analyst

            Is 10.0.0[.]5 beaconing?

            ### Assistant

            Yes.^[]52;c;ZXZpbA==^G Every 60 s.<U+202E>

            ### Analyst

            Which process?

            ### Assistant (interrupted)

            Probably svch

            _The answer was interrupted here._

            """)
    }

    @Test
    func exportContainsNoEscapeOrControlBytes() throws {
        let temporary = TemporaryDirectory()
        var session = Self.session()
        session.apply(JournalEntry(time: Date(), event: .user("pasted \u{1B}[2J log\u{07}\r")))
        session.apply(JournalEntry(time: Date(), event: .assistant(.init(text: "\u{9B}31m red \u{1B}c"))))
        let path = temporary.path + "/notes.md"
        try IncidentNotes.export(session, facts: ["\u{1B}[8mhidden"], to: path)
        let bytes = try fileBytes(path)
        #expect(!bytes.contains(0x1B))
        #expect(!bytes.contains(0x07))
        #expect(!bytes.contains(0x0D))
        #expect(!String(decoding: bytes, as: UTF8.self).unicodeScalars.contains { (0x80...0x9F).contains($0.value) })
    }

    @Test
    func titleFallsBackToTheSessionName() {
        var session = ReplayedSession(name: "quiet-night")
        session.apply(JournalEntry(time: Date(timeIntervalSince1970: 0), event: .sessionStart(sampleStart)))
        #expect(IncidentNotes.markdown(for: session, facts: []).hasPrefix("# Incident notes: quiet-night\n"))
    }

    @Test
    func exportWithForceReplacesAnExistingFileWholeAndLeavesNoTemporaryFile() throws {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/notes.md"
        writeFile(path, Array(String(repeating: "old content that is longer than the notes\n", count: 500).utf8))
        try IncidentNotes.export(Self.session(), facts: [], to: path, replacing: true)
        #expect(try fileBytes(path) == Array(IncidentNotes.markdown(for: Self.session(), facts: []).utf8))
        #expect(TemporaryDirectory.contents(of: temporary.path) == ["notes.md"])
    }

    @Test
    func failedExportLeavesTheTargetAndNoTemporaryFile() throws {
        let temporary = TemporaryDirectory()
        // A non-empty directory in the way: rename(2) cannot replace it.
        let target = temporary.path + "/notes.md"
        #expect(mkdir(target, 0o700) == 0)
        writeFile(target + "/keep", Array("precious".utf8))
        #expect(throws: REPLError.self) { try IncidentNotes.export(Self.session(), facts: [], to: target) }
        #expect(TemporaryDirectory.contents(of: temporary.path) == ["notes.md"])
        #expect(try fileBytes(target + "/keep") == Array("precious".utf8))
    }

    @Test
    func exportIntoAMissingDirectoryFailsCleanly() {
        let temporary = TemporaryDirectory()
        #expect(throws: REPLError.self) {
            try IncidentNotes.export(Self.session(), facts: [], to: temporary.path + "/missing/notes.md")
        }
        #expect(TemporaryDirectory.contents(of: temporary.path).isEmpty)
    }

    @Test
    func defaultFileNameIsTheSessionName() {
        #expect(IncidentNotes.defaultFileName(for: Self.session()) == "case-7.md")
    }

    @Test
    func notesOfAnOlderMultiConversationJournalSayWhichConversationTheFactsBelongTo() {
        var session = Self.session()
        session.apply(JournalEntry(time: Date(), event: .newConversation))
        session.apply(JournalEntry(time: Date(), event: .user("A new case: 198.51.100.7")))
        let notes = IncidentNotes.markdown(for: session, facts: ["IP 198.51.100.7"], utcOffsetSeconds: 0)
        #expect(notes.contains("## Case facts (conversation 2 of 2)"))
        #expect(notes.contains("## Conversation 1 of 2"))
    }

    @Test
    func redactedNotesUseTheSessionsPlaceholdersEverywhere() {
        let token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
        var session = ReplayedSession(name: "case-8")
        session.apply(JournalEntry(time: Date(), event: .sessionStart(sampleStart)))
        session.apply(JournalEntry(time: Date(), event: .user("Leaked \(token) and password=Sup3rS3cretValue! on WS-042")))
        session.apply(JournalEntry(time: Date(), event: .assistant(.init(text: "Revoke \(token) now."))))
        // The session's redactor already numbered this token when it was sent.
        var redactor = SecretRedactor()
        _ = redactor.redact("earlier \(token)")
        let (notes, count) = IncidentNotes.render(session, facts: ["token \(token)"], redactor: redactor, utcOffsetSeconds: 0)
        #expect(!notes.contains(token))
        #expect(!notes.contains("Sup3rS3cretValue!"))
        #expect(notes.components(separatedBy: "[REDACTED:github-token-1]").count == 4)  // fact, question, answer
        #expect(notes.contains("WS-042"))
        #expect(count == 2)
        #expect(notes.contains("- Redaction: secrets replaced by placeholders such as [REDACTED:kind-1] (2 distinct secrets in these notes)"))
    }
}
