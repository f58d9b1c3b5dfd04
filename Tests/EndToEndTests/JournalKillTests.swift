import Foundation
import LoopbackProvider
import Testing

/// SIGKILL in the middle of streamed answers, many times: a resume shows every completed exchange
/// and the question that was being answered.
@Suite("Journal against SIGKILL, end to end")
struct JournalKillTests {
    @Test func killedAtRandomMomentsLosesNothingCompleted() async throws {
        let server = try LoopbackServer(handler: { request in
            guard request.method == "POST" else { return .json("{}", status: 404) }
            let question = request.json()?["messages"]?.array?.last?["content"]?.string ?? ""
            let number = question.split(separator: " ").last.map(String.init) ?? "?"
            return .stream(.openai, deltas: ["answer \(number) "] + (1...12).map { "part\($0) " }, interval: .milliseconds(15))
        })
        defer { server.stop() }
        var generator = SystemRandomNumberGenerator()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("kill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let transcript = root + "/in.txt"
        try Data(((1...6).map { "question number \($0)" }.joined(separator: "\n") + "\n").utf8)
            .write(to: URL(fileURLWithPath: transcript))
        for round in 0..<12 {
            let state = root + "/state-\(round)"
            let environment = ["XDG_STATE_HOME": state]
            let pid = try ProcessRunner.start(
                arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--session", "kill"],
                stdinPath: transcript, stdoutPath: root + "/out-\(round)", stderrPath: root + "/err-\(round)",
                environment: environment
            )
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...1200, using: &generator)))
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)

            // What the killed process had been told was complete: full answers on its stdout.
            let stdout = (try? String(contentsOfFile: root + "/out-\(round)", encoding: .utf8)) ?? ""
            let completed = stdout.split(separator: "\n").filter { $0.hasPrefix("Assistant: ") && $0.hasSuffix("part12 ") }.count
            let asked = stdout.split(separator: "\n").filter { $0.hasPrefix("You: ") }.count

            let resumed = try await ProcessRunner.run(
                arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--resume", "kill"],
                stdin: Array("/history\n".utf8), environment: environment
            )
            if resumed.stderr.contains("no session named") {
                // Killed during start-up, before the journal existed: then nothing had been asked.
                #expect(asked == 0, "round \(round): \(asked) questions echoed but no journal")
                continue
            }
            #expect(resumed.status == 0, "round \(round): \(resumed.stderr)")
            let history = resumed.stdout
            for number in 1...max(asked, 1) where number <= asked {
                #expect(history.contains("question number \(number)"), "round \(round): question \(number) lost")
            }
            for number in 1...6 where number <= completed {
                #expect(history.contains("answer \(number) part1 part2"), "round \(round): answer \(number) lost")
            }
            #expect(!resumed.stderr.contains("error"), "round \(round): \(resumed.stderr)")
        }
    }
}
