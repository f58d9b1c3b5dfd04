#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
@testable import IncidentREPLKit
import Testing

@Suite("SessionStore")
struct SessionStoreTests {
    @Test(arguments: ["", "a/b", "../escape", ".hidden", "tab\tname", String(repeating: "x", count: 201)])
    func rejectsUnsafeNames(name: String) {
        #expect(throws: REPLError.self) { try SessionStore.validate(name: name) }
    }

    @Test(arguments: ["case-42", "2026-11-24-2301", "phishing wave", "été"])
    func acceptsOrdinaryNames(name: String) throws {
        try SessionStore.validate(name: name)
    }

    @Test
    func createRejectsAnInvalidNameWithoutCreatingAFile() {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        #expect(throws: REPLError.self) { try store.create(named: ".sneaky", start: sampleStart) }
        #expect(TemporaryDirectory.contents(of: temporary.path).isEmpty)
    }

    @Test
    func defaultNameComesFromTheTimeAndAvoidsTakenNames() throws {
        let temporary = TemporaryDirectory()
        // 2026-11-24 22:01:05 UTC, shown at UTC+1.
        let moment = Date(timeIntervalSince1970: 1_795_557_665)
        let store = SessionStore(directory: temporary.path, clock: { moment }, utcOffsetSeconds: 3600)
        #expect(store.defaultName() == "2026-11-24-2301")
        let first = try store.create(named: nil, start: sampleStart)
        let second = try store.create(named: nil, start: sampleStart)
        #expect(first.name == "2026-11-24-2301")
        #expect(second.name == "2026-11-24-2301-2")
    }

    @Test
    func namingAnExistingSessionIsRefused() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        _ = try store.create(named: "case", start: sampleStart)
        #expect(throws: REPLError.self) { try store.create(named: "case", start: sampleStart) }
    }

    @Test
    func resumingAnUnknownSessionFails() {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        #expect(throws: REPLError.self) { try store.resume("nope") }
    }

    @Test
    func listShowsMostRecentFirstWithQuestionAndSize() throws {
        let temporary = TemporaryDirectory()
        let clock = SteppingClock()
        let store = SessionStore(directory: temporary.path, clock: clock.function)
        _ = try store.create(named: "empty", start: sampleStart)
        let older = try store.create(named: "older", start: sampleStart)
        let newer = try store.create(named: "newer", start: sampleStart)
        let long = "Why does " + String(repeating: "host ", count: 30) + "beacon?"
        try newer.recordQuestion(long)
        try newer.recordAnswer("Because.", status: .complete)
        try older.recordQuestion("  multi\nline\tquestion \u{1B}[31m  ")
        writeFile(temporary.path + "/.older.jsonl.tmp-1", Array("not a session".utf8))
        writeFile(temporary.path + "/notes.md", Array("not a session".utf8))

        let sessions = try store.list()
        #expect(sessions.map(\.name) == ["older", "newer", "empty"])
        let summary = try #require(sessions.first)
        #expect(summary.firstQuestion == "multi line question ^[[31m")
        #expect(summary.messageCount == 1)
        #expect(summary.byteCount == (try fileBytes(store.path(for: "older"))).count)
        #expect(summary.created == Date(timeIntervalSince1970: 1_795_647_660 + 1))
        #expect(summary.lastActivity == Date(timeIntervalSince1970: 1_795_647_660 + 5))
        let preview = try #require(sessions[1].firstQuestion)
        #expect(preview.count == SessionSummary.previewLength)
        #expect(preview.hasPrefix("Why does host host"))
        #expect(preview.hasSuffix("…"))
        #expect(sessions[1].messageCount == 2)
        #expect(sessions[2].firstQuestion == nil)
        #expect(try store.latest()?.name == "older")
    }

    @Test
    func listOfAMissingDirectoryIsEmpty() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path + "/not-yet")
        #expect(try store.list().isEmpty)
        #expect(try store.latest() == nil)
    }

    @Test
    func displayLineShowsDateNameSizeAndQuestion() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path, clock: { Date(timeIntervalSince1970: 1_795_557_665) })
        let journal = try store.create(named: "case", start: sampleStart)
        try journal.recordQuestion("Is 10.0.0.5 compromised?")
        let summary = try #require(try store.list().first)
        #expect(summary.displayLine(utcOffsetSeconds: 3600)
            == "2026-11-24 23:01  case  1 message, \(summary.byteCount) B  Is 10.0.0.5 compromised?")
    }

    @Test
    func resumeContinuesTheSameFile() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        do {
            let journal = try store.create(named: "case", start: sampleStart)
            try journal.recordQuestion("one")
        }  // closed, as by the process that wrote it: only one writer at a time
        let (_, resumed) = try store.resume("case")
        try resumed.recordQuestion("two")
        #expect(try store.load("case").conversation.messages.map(\.text) == ["one", "two"])
        #expect(TemporaryDirectory.contents(of: temporary.path) == ["case.jsonl"])
    }

    @Test
    func standardDirectoryFollowsXDGStateHome() {
        #expect(SessionStore.standard(environment: ["XDG_STATE_HOME": "/x/state", "HOME": "/h"]).directory
            == "/x/state/incident-repl/sessions")
        #expect(SessionStore.standard(environment: ["HOME": "/h"]).directory == "/h/.local/state/incident-repl/sessions")
    }

    @Test(arguments: [
        (0, 0, "1970-01-01 00:00:00 +00:00"),
        (951_825_600, 0, "2000-02-29 12:00:00 +00:00"),
        (1_795_557_665, -5 * 3600, "2026-11-24 17:01:05 -05:00"),
        (-1, 0, "1969-12-31 23:59:59 +00:00"),
    ])
    func localTimeFormatsCivilDates(seconds: Int, offset: Int, expected: String) {
        #expect(LocalTime(Date(timeIntervalSince1970: Double(seconds)), utcOffsetSeconds: offset).displayString == expected)
    }
}

/// Where a resumed case goes, and which session a bare `--resume` picks.
@Suite("Resuming the right case")
struct ResumeTargetTests {
    @Test func aProviderSwitchForgetsThePreviousProvidersEndpoint() {
        var session = ReplayedSession(name: "switched")
        let start = JournalEvent.SessionStart(
            provider: "openai", model: "gpt-4o", role: nil, systemPrompt: "s", strategy: "drop-oldest",
            baseURL: "https://api.openai.com/v1", redaction: "automatic", fenceKey: "k")
        for event in [JournalEvent.sessionStart(start), .modelChange(provider: "local", model: "smollm2-135m-instruct"),
                      .settingsChange(baseURL: nil, redaction: "automatic", fenceKey: "k")] {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 1_795_557_665), event: event))
        }
        #expect(session.provider == "local")
        #expect(session.baseURL == nil)  // the embedded server, not api.openai.com
    }

    @Test func aBareResumePassesOverASessionInWhichNothingWasAsked() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path, clock: SteppingClock().function)
        do {
            let investigation = try store.create(named: "investigation", start: sampleStart)
            try investigation.recordQuestion("What is 203.0.113.45 doing?")
        }
        do { _ = try store.create(named: "empty", start: sampleStart) }  // a start (or /new), then quit
        #expect(try store.latest()?.name == "investigation")
    }
}
