import Foundation
import Testing

/// The first path a user walks: the built binary, a piped transcript, the real local model.
@Suite("End to end with the embedded local model", .serialized)
struct LocalModelTranscriptTests {
    static let transcript = """
    # A scripted triage: comments and blank lines are skipped.
    We see beaconing to 203.0.113.45 every 60 s from host WS-042. What is it?

    How do I detect it on Windows?
    What IP were we discussing?

    """

    struct AuditEntry: Decodable {
        let method: String
        let url: String
        let body: String
    }

    struct ChatBody: Decodable {
        struct Message: Decodable {
            let role: String
            let content: String
        }
        let messages: [Message]?
        let system: String?
    }

    func auditedChats(_ path: String) throws -> [ChatBody] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        return try lines.map { try JSONDecoder().decode(AuditEntry.self, from: Data($0.utf8)) }
            .filter { $0.method == "POST" }
            .map { try JSONDecoder().decode(ChatBody.self, from: Data($0.body.utf8)) }
    }

    func answers(in stdout: String) -> [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("Assistant: ") }
            .map { String($0.dropFirst("Assistant: ".count)) }
    }

    @Test func threeTurnTranscriptSendsTheWholeHistoryEachTurn() async throws {
        let base = try await SharedLocalModel.baseURL()
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: audit) }
        let result = try await ProcessRunner.run(
            arguments: ["--base-url", base + "/v1", "--max-tokens", "48", "--temperature", "0", "--audit-log", audit],
            stdin: Array(Self.transcript.utf8)
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("You: We see beaconing to 203.0.113.45"))
        let replies = answers(in: result.stdout)
        #expect(replies.count == 3)
        #expect(replies.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })

        let chats = try auditedChats(audit)
        #expect(chats.count == 3)
        let third = try #require(chats.last?.messages)
        // The system prompt, two exchanges and the new question.
        #expect(third.map(\.role) == ["system", "user", "assistant", "user", "assistant", "user"])
        #expect(third[0].content.contains("incident responder"))
        #expect(third[1].content.contains("203.0.113.45"))
        #expect(third[5].content == "What IP were we discussing?")
        #expect(third[2].content.hasPrefix(replies[0].prefix(20)))
    }

    @Test func startsTheEmbeddedServerWithNoConfigurationAtAll() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let result = try await ProcessRunner.run(arguments: ["--max-tokens", "16"], stdin: Array("Hello\n".utf8),
                                           environment: ["INCIDENT_REPL_PROVIDER": "", "ANTHROPIC_API_KEY": "sk-ant-not-consent",
                                                         "XDG_STATE_HOME": state])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("local · model smollm2"))
        #expect(result.stderr.contains("SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(answers(in: result.stdout).count == 1)
    }

    @Test func answersThroughTheAnthropicFaceOfTheSameServer() async throws {
        let base = try await SharedLocalModel.baseURL()
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "anthropic", "--base-url", base, "--model", "smollm2", "--max-tokens", "24"],
            stdin: Array("What is lateral movement?\nAnd how do I spot it?\n".utf8),
            environment: ["ANTHROPIC_API_KEY": ""]
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(answers(in: result.stdout).filter { !$0.isEmpty }.count == 2)
    }

    @Test func scriptedRunExitsNonZeroWhenTheServerRefuses() async throws {
        let port = 1 + Int.random(in: 20000..<30000)
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", "http://127.0.0.1:\(port)/v1", "--max-retries", "0"],
            stdin: Array("hello\n".utf8)
        )
        #expect(result.status != 0)
        #expect(result.stderr.contains("connection refused"))
    }
}
