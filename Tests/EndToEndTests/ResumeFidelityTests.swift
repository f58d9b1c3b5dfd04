import Foundation
import LoopbackProvider
import Testing

/// `--resume` restores the conversation exactly: `/context` after resuming is what it was before.
@Suite("Resume fidelity, end to end")
struct ResumeFidelityTests {
    @Test func contextAfterResumeIsIdenticalToContextBefore() async throws {
        let server = try LoopbackServer(handler: { request in
            guard request.method == "POST" else { return .json("{}", status: 404) }
            let count = request.json()?["messages"]?.array?.count ?? 0
            return .stream(.openai, deltas: ["answer to turn with \(count) messages about 198.51.100.\(count)"],
                           usage: TokenUsage(input: 40 * count, output: 12))
        })
        defer { server.stop() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let arguments = ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--context-window", "700",
                         "--max-tokens", "100", "--role", "threat-intel"]
        let before = try await ProcessRunner.run(
            arguments: arguments + ["--session", "case-7"],
            stdin: Array("""
            host: WS-042 beacons to 203.0.113.45 every minute, what is it?
            /pin ticket INC-7, owner jdoe
            /strategy last-n 3
            the hash is 44d88612fea8a8f36de82e1278abb02f, is it known?
            \(String(repeating: "routine proxy noise ", count: 40))
            which Sigma rule fits?
            /context
            """.utf8),
            environment: ["XDG_STATE_HOME": state]
        )
        #expect(before.status == 0, "stderr: \(before.stderr)")
        let after = try await ProcessRunner.run(
            arguments: ["--base-url", server.baseURL + "/v1", "--context-window", "700", "--max-tokens", "100",
                        "--resume", "case-7"],
            stdin: Array("/context\n".utf8),
            environment: ["XDG_STATE_HOME": state]
        )
        #expect(after.status == 0, "stderr: \(after.stderr)")
        let contextBefore = try #require(before.stdout.components(separatedBy: "You: /context\n").last)
        let contextAfter = try #require(after.stdout.components(separatedBy: "You: /context\n").last)
        #expect(contextBefore.contains("INC-7"))
        #expect(contextBefore.contains("203.0.113.45"))  // carried as a case fact after truncation
        #expect(contextAfter == contextBefore)
        #expect(after.stderr.contains("resumed session case-7"))
    }
}
