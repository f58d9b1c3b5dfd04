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
import LLMClients
import LoopbackProvider
import Testing

/// What a running session keeps: every line despite a failing disk, one conversation per session
/// file, and notes that say whether they are redacted.
@Suite("What a session keeps")
struct SessionKeepingTests {
    static let token = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"

    // MARK: - A failing fdatasync

    @Test
    func aFailedSyncLosesNoLaterLineAndIsReportedOnce() async throws {
        let temporary = TemporaryDirectory()
        let journal = try SessionJournal.create(
            at: temporary.path + "/s.jsonl", start: sampleStart, clock: { Date() }, sync: { _ in EIO }
        )
        await journal.waitUntilDurable()  // the session line's flush has failed by now
        try journal.recordQuestion("written after the failure")
        await journal.waitUntilDurable()
        let text = String(decoding: try fileBytes(journal.path), as: UTF8.self)
        #expect(text.contains("written after the failure"))
        let failure = try #require(journal.takeSyncFailure())
        #expect(failure == "\(journal.path): fdatasync failed: Input/output error")
        #expect(journal.takeSyncFailure() == nil)
    }

    @Test
    func aSessionOnAFailingDiskJournalsEveryTurnAndSaysSoOnce() async throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        let journal = try SessionJournal.create(
            at: store.path(for: "case"), start: sampleStart, clock: { Date() }, sync: { _ in EIO }
        )
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Beaconing", "."])])
        defer { server.stop() }
        let run = try await SessionHarness.run(
            .openai, lines: ["Is 10.0.0.5 beaconing?", "Which process?", "And the parent?"], server: server
        ) { session in
            session.sessions = store
            session.journal = journal
        }
        #expect(run.stderr.components(separatedBy: "fdatasync failed").count == 2, "\(run.stderr)")
        #expect(run.stderr.contains("every line is still written to the file"))
        #expect(!run.stderr.contains("goes on unsaved"))
        let replayed = try store.load("case")
        #expect(replayed.conversation.messages.map(\.text) == [
            "Is 10.0.0.5 beaconing?", "Beaconing.", "Which process?", "Beaconing.", "And the parent?", "Beaconing.",
        ])
    }

    // MARK: - /new

    @Test
    func newStartsASessionFileOfItsOwnAndSaysItsName() async throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        let journal = try store.create(named: "case-7", start: sampleStart)
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Noted."])])
        defer { server.stop() }
        let run = try await SessionHarness.run(
            .openai, lines: ["first case question", "/new case-7-phishing", "second case question", "/new", "third"],
            server: server
        ) { session in
            session.sessions = store
            session.journal = journal
        }
        #expect(run.stdout.contains("started a fresh conversation in session case-7-phishing"))
        #expect(run.stdout.contains("/resume case-7 goes back to it"))
        let names = TemporaryDirectory.contents(of: temporary.path)
        #expect(names.count == 3, "\(names)")
        #expect(names.contains("case-7.jsonl") && names.contains("case-7-phishing.jsonl"))

        let first = try store.load("case-7")
        #expect(first.messageCount == 2)
        #expect(first.earlierConversations.isEmpty)
        #expect(first.conversation.messages.map(\.text) == ["first case question", "Noted."])
        let second = try store.load("case-7-phishing")
        #expect(second.conversation.messages.map(\.text) == ["second case question", "Noted."])
        #expect(second.start?.systemPrompt == "You are terse.")
        let third = try #require(names.first { $0 != "case-7.jsonl" && $0 != "case-7-phishing.jsonl" })
        #expect(run.stdout.contains("started a fresh conversation in session \(third.dropLast(".jsonl".count))"))
        #expect(try store.load(String(third.dropLast(".jsonl".count))).conversation.messages.map(\.text) == ["third", "Noted."])
    }

    @Test
    func newWithATakenNameChangesNothing() async throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        do { _ = try store.create(named: "taken", start: sampleStart) }
        let journal = try store.create(named: "case", start: sampleStart)
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Noted."])])
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["one", "/new taken", "two"], server: server) { session in
            session.sessions = store
            session.journal = journal
        }
        #expect(run.stderr.contains("a session named 'taken' already exists"))
        #expect(run.stderr.contains("still in session case"))
        #expect(try store.load("case").conversation.messages.map(\.text) == ["one", "Noted.", "two", "Noted."])
    }

    // MARK: - /export

    /// Runs `lines` after a question holding a secret; returns the notes written to each path.
    static func exportRun(mode: OutboundFilter.Mode, exports: [String]) async throws -> (notes: [String], stdout: String) {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path + "/sessions")
        let journal = try store.create(named: "case", start: sampleStart)
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Rotate it."])])
        defer { server.stop() }
        let paths = exports.indices.map { temporary.path + "/notes-\($0).md" }
        let lines = ["The attacker used token \(token) from 203.0.113.45. Rotate?"]
            + zip(exports, paths).map { $0.0.isEmpty ? "/export \($0.1)" : "/export \($0.0) \($0.1)" }
        let run = try await SessionHarness.run(.openai, lines: lines, server: server) { session in
            session.sessions = store
            session.journal = journal
            session.outbound = OutboundFilter(mode: mode)
        }
        let notes = try paths.map { String(decoding: try fileBytes($0), as: UTF8.self) }
        return (notes, run.stdout)
    }

    @Test
    func exportRedactsByDefaultWhenTheSessionRedactsAndSaysSo() async throws {
        let (notes, stdout) = try await Self.exportRun(mode: .on, exports: ["", "--no-redact"])
        #expect(!notes[0].contains(Self.token))
        #expect(notes[0].contains("[REDACTED:github-token-1]"))
        #expect(notes[0].contains("203.0.113[.]45"))  // defanged in notes
        #expect(notes[0].contains("- Redaction: secrets replaced by placeholders such as [REDACTED:kind-1] (1 distinct secret in these notes)"))
        #expect(!notes[0].contains("# Incident notes: The attacker used token ghp_"))
        #expect(stdout.contains("redacted (1 distinct secret replaced)"))

        #expect(notes[1].contains(Self.token))
        #expect(notes[1].contains("- Redaction: none (secrets appear as typed; review before sharing)"))
        #expect(stdout.contains("not redacted: secrets appear as typed"))
    }

    @Test
    func exportIsNotRedactedByDefaultOnLoopbackUnlessAsked() async throws {
        // Loopback and automatic redaction: nothing was redacted on the way out.
        let (notes, _) = try await Self.exportRun(mode: .automatic, exports: ["", "--redact"])
        #expect(notes[0].contains(Self.token))
        #expect(notes[0].contains("- Redaction: none"))
        #expect(!notes[1].contains(Self.token))
        #expect(notes[1].contains("[REDACTED:github-token-1]"))
    }
}
