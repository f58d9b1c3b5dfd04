import Foundation
import LoopbackProvider
import Testing

/// `--file` through the built binary: repeatable, line ranges, `.gz`, refusals before anything starts.
@Suite("--file, end to end")
struct EvidenceEndToEndTests {
    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func repeatedFileFlagsAttachEverythingToTheFirstQuestionAndABinaryFileStopsItBeforeItStarts() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let directory = try scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("a 203.0.113.45\nb 198.51.100.7\nc 192.0.2.9\n".utf8).write(to: URL(fileURLWithPath: directory + "/net.log"))
        try Data("GET /x.sh from 45.155.205.17\n".utf8).write(to: URL(fileURLWithPath: directory + "/web.log"))
        let environment = ["XDG_STATE_HOME": directory + "/state", "XDG_CONFIG_HOME": directory + "/config"]
        let base = ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--max-retries", "0"]
        let result = try await ProcessRunner.run(
            arguments: base + ["--file", directory + "/net.log:2-3", "--file", directory + "/web.log"],
            stdin: Array("What do these show?\nquit\n".utf8), environment: environment, timeout: .seconds(120))
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(500))")
        let body = try #require(server.requests.last { $0.method == "POST" }?.bodyText)
        #expect(body.contains("198.51.100.7") && body.contains("192.0.2.9") && body.contains("45.155.205.17"))
        #expect(!body.contains("203.0.113.45"))  // line 1 was not selected
        #expect(body.contains("lines 2-3 of 3"))

        var binary = Array("\u{7F}ELF".utf8)
        binary += [0, 0, 0, 0]
        try Data(binary).write(to: URL(fileURLWithPath: directory + "/a.out"))
        let requestsBefore = server.requests.count
        let refused = try await ProcessRunner.run(
            arguments: base + ["--file", directory + "/a.out"], stdin: Array("Anything?\n".utf8),
            environment: environment, timeout: .seconds(120))
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("binary data"))
        #expect(server.requests.count == requestsBefore)
    }
}
