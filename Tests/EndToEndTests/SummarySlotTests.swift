import Foundation
import LLMClients
import Testing

/// The embedded llama.cpp server keeps the conversation's KV cache across a summarising request:
/// the summariser (another system prompt, other messages) gets a slot of its own, and the window
/// each slot gets is the one asked for. llama.cpp's own `timings` are read from every answer.
@Suite("End to end: a summarising request does not evict the conversation's cache", .serialized)
struct SummarySlotTests {
    static let checkout = ProcessRunner.productsDirectory.components(separatedBy: "/.build/").first ?? "."

    struct Answer: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable { let content: String? }
            let message: Message
        }
        struct Timings: Decodable {
            let cache_n: Int
            let prompt_n: Int
        }
        let choices: [Choice]
        let timings: Timings

        var text: String { choices.first?.message.content ?? "" }
        /// The tokens of the prompt, cached or evaluated.
        var promptTokens: Int { timings.cache_n + timings.prompt_n }
    }

    /// A llama.cpp server started by the product's launcher, and what a chat client sends it.
    struct Server {
        let url: String
        let transport = CurlTransport(options: TransportOptions(connectTimeout: .seconds(10), stallTimeout: .seconds(300)))

        func get(_ path: String) async throws -> Any {
            let response = try await transport.send(HTTPRequest(method: .get, url: url + path))
            let body = try await response.collectBody()
            #expect(response.head.status == 200, "\(path): \(String(decoding: body, as: UTF8.self))")
            return try JSONSerialization.jsonObject(with: Data(body))
        }

        func post(_ path: String, _ object: [String: Any]) async throws -> [UInt8] {
            let body = try JSONSerialization.data(withJSONObject: object)
            let response = try await transport.send(HTTPRequest(
                method: .post, url: url + path, headers: [(name: "Content-Type", value: "application/json")], body: Array(body)))
            let answer = try await response.collectBody()
            #expect(response.head.status == 200, "\(path): \(String(decoding: answer, as: UTF8.self))")
            return answer
        }

        /// One chat request as the REPL sends it to the embedded server (`cache_prompt`, temperature 0).
        func chat(system: String, _ messages: [(role: String, text: String)], maxTokens: Int = 40) async throws -> Answer {
            let all = [["role": "system", "content": system]] + messages.map { ["role": $0.role, "content": $0.text] }
            let body = try await post("/v1/chat/completions", [
                "model": "smollm2-135m-instruct", "messages": all, "max_tokens": maxTokens, "temperature": 0,
                "cache_prompt": true, "stream": false,
            ])
            return try JSONDecoder().decode(Answer.self, from: Data(body))
        }

        func tokenCount(_ text: String) async throws -> Int {
            let body = try await post("/tokenize", ["content": text])
            let tokens = (try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?["tokens"] as? [Any]
            return tokens?.count ?? 0
        }
    }

    static func prompt(_ name: String) throws -> String {
        try String(contentsOfFile: checkout + "/prompts/\(name).md", encoding: .utf8)
    }

    /// Pasted log lines, as an analyst triaging a brute force would paste them (~40 tokens a line).
    static func authLog(from first: Int, count: Int) -> String {
        (first..<(first + count)).map { index in
            "Dec  1 03:\(10 + index % 50):\(10 + index % 49) bastion-01 sshd[\(4100 + index)]: Failed password for "
                + "invalid user admin\(index) from 203.0.113.\(40 + index % 9) port \(50_000 + index * 7) ssh2"
        }.joined(separator: "\n")
    }

    /// What ``SummaryPlan`` asks of the summariser: another system prompt, the exchanges as one message.
    static func summaryRequest(_ exchanges: [(role: String, text: String)]) -> String {
        "You maintain a running summary of an incident-response conversation between a security analyst and an "
            + "assistant. Extend the summary below so that it also covers the new exchanges. Reply with the summary only.\n\n"
            + "Summary so far:\n(none yet)\n\nNew exchanges:\n"
            + exchanges.map { ($0.role == "user" ? "Analyst: " : "Assistant: ") + $0.text }.joined(separator: "\n")
    }

    @Test func theTurnAfterASummaryReadsTheConversationFromTheCache() async throws {
        let window = 2_048
        let dedicated = try await DedicatedLocalModel.start(contextSize: window)
        defer { dedicated.stop() }
        let server = Server(url: dedicated.url)

        // Each slot gets the whole window the analyst asked for: what the REPL probes (/props) is it.
        let props = try #require(try await server.get("/props") as? [String: Any])
        let settings = props["default_generation_settings"] as? [String: Any]
        #expect(settings?["n_ctx"] as? Int == window)
        let slots = try #require(try await server.get("/slots") as? [[String: Any]])
        #expect(slots.count == 2)
        #expect(slots.allSatisfy { $0["n_ctx"] as? Int == window }, "\(slots.map { $0["n_ctx"] ?? "?" })")

        let system = try Self.prompt("incident-response")
        var conversation: [(role: String, text: String)] = [
            ("user", "We see these on the bastion host:\n" + Self.authLog(from: 0, count: 10) + "\nIs this a brute force?"),
        ]
        let first = try await server.chat(system: system, conversation)
        conversation += [("assistant", first.text),
                         ("user", "More of it:\n" + Self.authLog(from: 10, count: 10) + "\nWhich addresses do we block?")]
        let second = try await server.chat(system: system, conversation)
        #expect(second.timings.cache_n >= first.promptTokens - 2, "an appended turn re-read its prefix: \(second.timings)")

        // A summarising request between two turns, as the summarise strategy sends one.
        _ = try await server.chat(
            system: try Self.prompt("summarise"), [("user", Self.summaryRequest(Array(conversation.prefix(2))))], maxTokens: 64)

        // The next turn extends the conversation: all of the previous turn's prompt comes from the cache.
        conversation += [("assistant", second.text), ("user", "Is 203.0.113.45 in the list?")]
        let third = try await server.chat(system: system, conversation)
        #expect(third.timings.cache_n >= second.promptTokens - 2,
                "the summary evicted the conversation: \(third.timings) after a \(second.promptTokens)-token prompt")

        // A fold: another summary, then a turn whose system prompt carries it and whose messages
        // start later. Only the role's system prompt is shared with the turn before (well under a
        // quarter of it: llama.cpp's host-memory cache would not bring that back), and it is read
        // from the conversation's slot, not evaluated again.
        conversation += [("assistant", third.text)]
        let fold = try await server.chat(
            system: try Self.prompt("summarise"), [("user", Self.summaryRequest(conversation))], maxTokens: 64)
        let folded = system + "\n\nSummary of the earlier conversation:\n" + fold.text
        let roleTokens = try await server.tokenCount(system)
        #expect(roleTokens * 4 < third.promptTokens, "the conversation is too short to show the fold")
        let afterFold = try await server.chat(system: folded, [("user", "Which of those hosts should we isolate first?")])
        #expect(afterFold.timings.cache_n >= roleTokens - 4,
                "the turn after a fold re-evaluated the system prompt (\(roleTokens) tokens): \(afterFold.timings)")
    }
}
