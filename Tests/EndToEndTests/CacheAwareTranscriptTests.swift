import Foundation
import Testing

/// The 30-turn triage transcript through the built binary and the real model at a 2,048-token
/// window: it finishes with no error, and once the window is full the prefix of the requests
/// changes only at a few truncation events, not every turn.
@Suite("End to end: a cache-aware conversation at a 2,048-token window", .serialized)
struct CacheAwareTranscriptTests {
    /// The thirty questions of `demos/long-triage.txt`, as the analyst would pipe them.
    static func transcript() throws -> [UInt8] {
        let checkout = ProcessRunner.productsDirectory.components(separatedBy: "/.build/").first ?? "."
        return Array(try Data(contentsOf: URL(fileURLWithPath: checkout + "/demos/long-triage.txt")))
    }

    struct AuditEntry: Decodable {
        let method: String
        let url: String
        let body: String
    }

    @Test func thirtyTurnsAtA2048WindowFinishWithNoErrorAndAStablePrefix() async throws {
        let server = try await DedicatedLocalModel.start(contextSize: 2_048)
        defer { server.stop() }
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: audit) }
        let result = try await ProcessRunner.run(
            arguments: ["--base-url", server.url + "/v1", "--max-tokens", "80", "--temperature", "0", "--audit-log", audit],
            stdin: try Self.transcript(),
            environment: ["XDG_STATE_HOME": state],
            timeout: .seconds(1_500)
        )
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        #expect(!result.stderr.contains("error:"), "stderr: \(result.stderr.suffix(2000))")
        #expect(result.stdout.components(separatedBy: "\nAssistant: ").count - 1 == 30)

        // The requests the binary sent: the window filled (the first question was dropped), and
        // the first message after the system prompt changed only at a few truncation events.
        let bodies = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").compactMap { line -> [String: Any]? in
            let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8))
            // Token counting near the limit (llama.cpp's apply-template and tokenize) is not a turn.
            guard entry.method == "POST", entry.url.hasSuffix("/chat/completions") else { return nil }
            return try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any]
        }
        #expect(bodies.count == 30)
        #expect(bodies.allSatisfy { $0["cache_prompt"] as? Bool == true })
        let heads = bodies.map { body -> String in
            let messages = body["messages"] as? [[String: Any]] ?? []
            return messages.dropFirst().first?["content"] as? String ?? ""
        }
        #expect(heads.last?.hasPrefix("We see beaconing") == false, "the window never filled")
        let changes = zip(heads, heads.dropFirst()).filter { $0 != $1 }.count
        #expect(changes >= 1 && changes <= 5,
                "the prefix changed \(changes) times in 30 turns: \(heads.map { String($0.prefix(30)) })")
    }
}
