import Foundation
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

@Suite("Audit log", .serialized)
struct AuditLogTests {
    @Test func recordsBodiesButNeverHeadersInAPrivateFile() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.anthropic.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString)/nested").path
        defer { try? FileManager.default.removeItem(atPath: (directory as NSString).deletingLastPathComponent) }
        let old = umask(0o022)
        defer { umask(old) }
        let path = directory + "/audit.jsonl"
        let transport = try AuditingTransport(base: CurlTransport(), path: path)
        let client = AnthropicClient(format: AnthropicFormat(baseURL: server.baseURL, apiKey: "sk-ant-secret-header"), transport: transport)
        _ = try await client.collect(ChatRequest(model: "m", system: "s", messages: [.user("what is 203.0.113.45?")], maxTokens: 8))
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("203.0.113.45"))
        #expect(!text.contains("sk-ant-secret-header"))
        #expect((try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) == 0o600)
        #expect((try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int) == 0o700)
    }
}
