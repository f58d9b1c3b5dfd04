import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LoopbackProvider
import Testing

/// Two terminals, one session: the second `incident-repl --resume` is refused, naming the session
/// and the first process, and writes nothing to the first one's journal.
@Suite("Journal lock, end to end")
struct JournalLockEndToEndTests {
    @Test func aSecondIncidentReplOnTheSameSessionIsRefused() async throws {
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Noted."])])
        defer { server.stop() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["XDG_STATE_HOME": state]
        let arguments = ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--context-window", "4096"]
        let journalPath = state + "/incident-repl/sessions/shared.jsonl"

        // The first process reads its transcript from a FIFO that this test keeps open, so it stays
        // in the session until the test closes it.
        let fifo = state + "/first-stdin"
        try #require(mkfifo(fifo, 0o600) == 0)
        let writer = open(fifo, O_RDWR | O_CLOEXEC)  // not inherited: the child must see the end of its input
        try #require(writer >= 0)
        var writerOpen = true
        defer { if writerOpen { close(writer) } }
        let first = try ProcessRunner.start(
            arguments: arguments + ["--session", "shared"], stdinPath: fifo,
            stdoutPath: state + "/first-stdout", stderrPath: state + "/first-stderr", environment: environment
        )
        var reaped = false
        defer {
            if !reaped {
                kill(first, SIGKILL)
                var status: Int32 = 0
                waitpid(first, &status, 0)
            }
        }
        let question = Array("from the first terminal\n".utf8)
        _ = question.withUnsafeBytes { write(writer, $0.baseAddress, $0.count) }
        func journal() -> String { (try? String(contentsOfFile: journalPath, encoding: .utf8)) ?? "" }
        let deadline = ContinuousClock.now + .seconds(60)
        while !journal().contains("from the first terminal"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(journal().contains("from the first terminal"), "the first process never journaled its question")

        let second = try await ProcessRunner.run(
            arguments: arguments + ["--resume", "shared"], stdin: Array("from the second terminal\n".utf8),
            environment: environment, timeout: .seconds(120)
        )
        #expect(second.status == 2)
        #expect(second.stderr.contains("session 'shared' is open in another incident-repl (pid \(first))"), "\(second.stderr)")
        #expect(!journal().contains("from the second terminal"))

        // The first terminal ends its session; the session can then be resumed.
        close(writer)
        writerOpen = false
        var status: Int32 = 0
        let exitDeadline = ContinuousClock.now + .seconds(60)
        while !reaped, ContinuousClock.now < exitDeadline {
            if waitpid(first, &status, WNOHANG) == first { reaped = true } else { try await Task.sleep(for: .milliseconds(20)) }
        }
        try #require(reaped, "the first process did not end at the end of its input")
        let third = try await ProcessRunner.run(
            arguments: arguments + ["--resume", "shared"], stdin: Array("from the third terminal\n".utf8),
            environment: environment, timeout: .seconds(120)
        )
        #expect(third.status == 0, "\(third.stderr)")
        #expect(journal().contains("from the third terminal"))
    }
}
