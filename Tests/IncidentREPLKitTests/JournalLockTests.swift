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
import Testing

/// One writer per journal: a second process (or a second open here) is refused with a message that
/// names the session and the process holding it, and nothing of its is written.
@Suite("Journal lock")
struct JournalLockTests {
    static let childVariable = "INCIDENT_REPL_JOURNAL_LOCK_CHILD"
    static let sessionName = "shared-case"

    /// Child mode only: opens the session, says so in `ready`, and keeps it open until `release` exists.
    @Test(.enabled(if: getenv(childVariable) != nil))
    func childHoldsTheJournalUntilReleased() throws {
        let directory = try #require(getenv(Self.childVariable).map { String(cString: $0) })
        let store = SessionStore(directory: directory)
        let journal = try store.create(named: Self.sessionName, start: sampleStart)
        try journal.recordQuestion("from the first process")
        writeFile(directory + "/ready", Array("ready\n".utf8))
        let deadline = ContinuousClock.now + .seconds(30)
        while !PrivateFile.exists(directory + "/release"), ContinuousClock.now < deadline { usleep(10_000) }
        withExtendedLifetime(journal) {}
    }

    @Test(.enabled(if: getenv(childVariable) == nil))
    func aSecondProcessIsRefusedWithTheSessionAndThePid() async throws {
        let temporary = TemporaryDirectory()
        let pid = try JournalKillTests.spawnChild(
            directory: temporary.path, variable: Self.childVariable, test: "childHoldsTheJournalUntilReleased"
        )
        var reaped = false
        defer {
            if !reaped {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
        }
        let deadline = ContinuousClock.now + .seconds(60)
        while !PrivateFile.exists(temporary.path + "/ready"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        try #require(PrivateFile.exists(temporary.path + "/ready"), "the child never opened the session")

        let store = SessionStore(directory: temporary.path)
        let before = try fileBytes(store.path(for: Self.sessionName))
        do {
            _ = try store.resume(Self.sessionName)
            Issue.record("a second process could open the journal")
        } catch {
            let message = "\(error)"
            #expect(message.contains("session '\(Self.sessionName)' is open in another incident-repl (pid \(pid))"), "\(message)")
        }
        #expect(try fileBytes(store.path(for: Self.sessionName)) == before, "the refused open wrote to the journal")

        // Once the first process has let go, the session can be resumed.
        writeFile(temporary.path + "/release", [])
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(5)) }
        reaped = true
        let (session, journal) = try store.resume(Self.sessionName)
        #expect(session.conversation.messages.map(\.text) == ["from the first process"])
        try journal.recordQuestion("from the second process")
    }

    @Test
    func theSameSessionCannotBeOpenedTwiceInOneProcess() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        let journal = try store.create(named: "case", start: sampleStart)
        #expect(throws: REPLError.file(path: store.path(for: "case"), reason: "session 'case' is already open in this incident-repl")) {
            _ = try store.resume("case")
        }
        withExtendedLifetime(journal) {}
    }

    @Test
    func aReleasedJournalCanBeReopenedAtOnce() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path)
        for round in 0..<50 {
            let journal = round == 0
                ? try store.create(named: "case", start: sampleStart)
                : try store.resume("case").journal
            try journal.recordQuestion("question \(round)")
        }
        #expect(try store.load("case").conversation.messages.count == 50)
    }

    @Test
    func theHolderIsFoundInProcLocks() throws {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/held"
        let first = open(path, O_WRONLY | O_CREAT, 0o600)
        let second = open(path, O_WRONLY)
        defer { close(first); close(second) }
        try JournalLock.acquire(descriptor: first, path: path, session: "held")
        #expect(JournalLock.holder(of: second) == getpid())
        #expect(throws: REPLError.self) { try JournalLock.acquire(descriptor: second, path: path, session: "held") }
        JournalLock.release(descriptor: first)
        try JournalLock.acquire(descriptor: second, path: path, session: "held")
    }
}
