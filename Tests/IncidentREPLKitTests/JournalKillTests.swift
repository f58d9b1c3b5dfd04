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

/// The journal survives SIGKILL: a child process (this test binary, re-run on one test) writes a
/// session through the real `SessionJournal` and is killed at random moments.
@Suite("Journal under SIGKILL")
struct JournalKillTests {
    static let childVariable = "INCIDENT_REPL_JOURNAL_KILL_CHILD"
    static let sessionName = "killed"

    static func question(_ i: Int) -> String {
        "question \(i) " + String(repeating: "x", count: (i * 7919) % 3000)
    }

    static func deltas(_ i: Int) -> [String] {
        (0..<3).map { "answer \(i) part \($0) " + String(repeating: "y", count: (i * 104_729 + $0) % 1500) }
    }

    /// Child mode only: appends exchanges until killed, acknowledging each completed journal call
    /// in `ack` (`q N` after the question, `a N` after the answer).
    @Test(.enabled(if: getenv(childVariable) != nil))
    func childAppendsJournalUntilKilled() throws {
        let directory = try #require(getenv(Self.childVariable).map { String(cString: $0) })
        let store = SessionStore(directory: directory)
        let journal = try store.create(named: Self.sessionName, start: sampleStart)
        let ack = try PrivateFile(appendingTo: directory + "/ack")
        let deadline = ContinuousClock.now + .seconds(20)
        var i = 0
        while ContinuousClock.now < deadline {
            try journal.recordQuestion(Self.question(i))
            try ack.append(Array("q \(i)\n".utf8), sync: false)
            for delta in Self.deltas(i) { try journal.recordAnswerDelta(delta) }
            try journal.recordAnswer(Self.deltas(i).joined(), status: .complete)
            try ack.append(Array("a \(i)\n".utf8), sync: false)
            i += 1
        }
    }

    @Test(.enabled(if: getenv(childVariable) == nil))
    func sigkillMidAnswerLosesNothingCompleted() async throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<30 {
            let temporary = TemporaryDirectory()
            let pid = try Self.spawnChild(directory: temporary.path)
            let ackPath = temporary.path + "/ack"
            let wanted = Int.random(in: 1...12, using: &generator)
            let deadline = ContinuousClock.now + .seconds(60)
            while Self.acknowledgements(ackPath).count < wanted, ContinuousClock.now < deadline {
                try await Task.sleep(for: .microseconds(500))  // never block the cooperative pool
            }
            try await Task.sleep(for: .microseconds(Int.random(in: 0...3000, using: &generator)))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            let acks = Self.acknowledgements(ackPath)
            try #require(acks.count >= wanted, "round \(round): child acknowledged \(acks.count) of \(wanted)")

            let (session, _) = try SessionStore(directory: temporary.path).resume(Self.sessionName)
            let messages = session.conversation.messages
            let answered = acks.filter { $0.hasPrefix("a ") }.count
            for i in 0..<answered {
                #expect(messages[2 * i].text == Self.question(i), "round \(round)")
                #expect(messages[2 * i + 1].text == Self.deltas(i).joined(), "round \(round)")
                #expect(messages[2 * i + 1].status == .complete, "round \(round)")
            }
            if acks.last?.hasPrefix("q ") == true {
                #expect(messages.count > 2 * answered, "round \(round): the question being answered is lost")
                #expect(messages.count > 2 * answered && messages[2 * answered].text == Self.question(answered))
            }
            // Only the last line can be damaged by a kill.
            #expect(session.warnings.allSatisfy { $0.kind == .tornLastLine || $0.kind == .unterminatedLastLine },
                    "round \(round): \(session.warnings)")
            #expect(session.warnings.count <= 1, "round \(round)")
        }
    }

    static func acknowledgements(_ path: String) -> [String] {
        guard let bytes = try? PrivateFile.readAll(path) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Re-runs this test binary on a child test (`variable` set to `directory`), output discarded.
    static func spawnChild(
        directory: String, variable: String = childVariable, test: String = "childAppendsJournalUntilKilled"
    ) throws -> pid_t {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        try #require(length > 0)
        let executable = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let arguments = [executable, "--testing-library", "swift-testing", "--filter", test]
        var environment: [String] = []
        var entry = environ
        while let pointer = entry.pointee {
            environment.append(String(cString: pointer))
            entry += 1
        }
        environment.append("\(variable)=\(directory)")

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // A clean start: this runner thread blocks nearly every signal, a child must not inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        ChildProcess.cleanStart(&attributes, ownProcessGroup: false)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        try #require(result == 0, "posix_spawn failed: \(result)")
        return pid
    }
}
