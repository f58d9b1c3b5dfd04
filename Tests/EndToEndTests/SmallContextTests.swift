import Foundation
import Testing

/// ConversationCore against the real model with a 512-token window: long conversations must go on
/// without a single overflow error, whatever the strategy, and the case facts must survive.
@Suite("End to end with a 512-token window", .serialized)
struct SmallContextTests {
    /// One llama.cpp server with a 512-token context for the whole suite.
    static let server = Task { try await DedicatedLocalModel.start(contextSize: 512) }

    static let longTurns: [String] = (1...20).map { turn in
        "Turn \(turn): the proxy log shows host WS-0\(turn % 7) contacting 203.0.113.\(40 + turn % 5) over HTTPS every 60 seconds "
            + "with a 512-byte POST, a fixed JA3 fingerprint and a user agent that does not match the browser build on that host. "
            + "The EDR shows rundll32.exe spawning from winword.exe just before the first connection. What should I check next?"
    }

    struct AuditEntry: Decodable {
        let method: String
        let body: String
    }

    func chatBodies(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").compactMap {
            let entry = try JSONDecoder().decode(AuditEntry.self, from: Data($0.utf8))
            guard entry.method == "POST" else { return nil }
            return try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any]
        }
    }

    func run(strategy: String, turns: [String], extra: [String] = []) async throws -> (ProcessRunner.Result, String) {
        let base = try await Self.server.value.url
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        let result = try await ProcessRunner.run(
            arguments: ["--base-url", base + "/v1", "--max-tokens", "40", "--temperature", "0", "--strategy", strategy,
                        "--system", "You are a terse incident responder.", "--audit-log", audit] + extra,
            stdin: Array((turns.joined(separator: "\n") + "\n").utf8),
            environment: ["XDG_STATE_HOME": state],
            timeout: .seconds(600)
        )
        return (result, audit)
    }

    @Test(arguments: ["drop-oldest", "last-n", "summarise"])
    func twentyLongTurnsFinishWithoutAnOverflow(strategy: String) async throws {
        let (result, audit) = try await run(strategy: strategy, turns: Self.longTurns,
                                            extra: strategy == "last-n" ? ["--keep-turns", "2"] : [])
        defer { try? FileManager.default.removeItem(atPath: audit) }
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        #expect(!result.stderr.contains("error:"), "stderr: \(result.stderr.suffix(2000))")
        #expect(result.stdout.components(separatedBy: "\nAssistant: ").count - 1 == 20)
        // Truncation happened, and it was visible.
        #expect(result.stderr.contains("context:"))
        let bodies = try chatBodies(audit)
        let last = try #require(bodies.last?["messages"] as? [[String: Any]])
        #expect(last.count < 40)  // not the whole history
        #expect((last.last?["content"] as? String)?.hasPrefix("Turn 20:") == true)
        if strategy == "summarise" {
            #expect(result.stderr.contains("summarising"))
        }
    }

    @Test func theIPSurvivesTruncationInTheCaseFacts() async throws {
        let turns = [
            "We see beaconing to 198.51.100.23 every 60 s from a finance workstation. What could it be?",
            String(repeating: "The proxy logs are long and full of routine traffic to update servers and CDNs. ", count: 6)
                + "Summarise what matters.",
            String(repeating: "The EDR timeline shows many routine process starts from explorer.exe and svchost.exe. ", count: 6)
                + "What stands out?",
            "What IP were we discussing?",
        ]
        let (result, audit) = try await run(strategy: "drop-oldest", turns: turns)
        defer { try? FileManager.default.removeItem(atPath: audit) }
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let last = try #require(try chatBodies(audit).last)
        let messages = try #require(last["messages"] as? [[String: Any]])
        let contents = messages.compactMap { $0["content"] as? String }
        // The first turn no longer fits the 512-token window...
        #expect(!contents.dropFirst().contains { $0.contains("We see beaconing") })
        // ...but its IP travels in the case-facts block of the system prompt.
        #expect(contents.first?.contains("198.51.100.23") == true)
        #expect(contents.last == "What IP were we discussing?")
    }
}
