import LoopbackProvider
import Testing

/// The simulated caches follow each provider's rules, and the counts reach the rendered usage.
@Suite("PromptCacheSimulator")
struct PromptCacheSimulatorTests {
    /// About `tokens` simulated tokens of text (four bytes per token), distinct per `seed`.
    static func text(_ seed: Int, tokens: Int) -> String {
        String(String(repeating: "w\(seed % 10)yz", count: tokens).prefix(tokens * 4))
    }

    /// The texts here hold no quotes or backslashes.
    static func json(_ value: String) -> String { "\"" + value + "\"" }

    static func openAI(_ messages: [String]) -> RecordedRequest {
        let list = messages.enumerated().map { #"{"role":"\#($0 % 2 == 0 ? "user" : "assistant")","content":\#(json($1))}"# }
        return RecordedRequest(method: "POST", path: "/v1/chat/completions",
                               body: Array(#"{"model":"m","messages":[\#(list.joined(separator: ","))]}"#.utf8))
    }

    /// An Anthropic request whose blocks in `breakpoints` carry `cache_control`.
    static func anthropic(system: String, _ messages: [String], breakpoints: Set<Int>, systemBreakpoint: Bool = true) -> RecordedRequest {
        let control = #","cache_control":{"type":"ephemeral"}"#
        let list = messages.enumerated().map { index, text in
            #"{"role":"\#(index % 2 == 0 ? "user" : "assistant")","content":[{"type":"text","text":\#(json(text))\#(breakpoints.contains(index) ? control : "")}]}"#
        }
        let body = #"{"model":"m","system":[{"type":"text","text":\#(json(system))\#(systemBreakpoint ? control : "")}],"messages":[\#(list.joined(separator: ","))]}"#
        return RecordedRequest(method: "POST", path: "/v1/messages", body: Array(body.utf8))
    }

    @Test func prefixProvidersHitFrom1024TokensIn128TokenSteps() {
        let simulator = PromptCacheSimulator()
        let small = [Self.text(1, tokens: 600), Self.text(2, tokens: 100), Self.text(3, tokens: 50)]
        #expect(simulator.usage(for: Self.openAI(small), format: .openai, output: 5).cacheRead == 0)
        // ~750 tokens shared: below the minimum.
        #expect(simulator.usage(for: Self.openAI(small + ["a", "b"]), format: .openai, output: 5).cacheRead == 0)
        let long = [Self.text(4, tokens: 1_500), Self.text(5, tokens: 100), Self.text(6, tokens: 40)]
        #expect(simulator.usage(for: Self.openAI(long), format: .openai, output: 5).cacheRead == 0)
        let next = simulator.usage(for: Self.openAI(long + ["answer", "question"]), format: .openai, output: 5)
        // The shared prefix is the whole earlier prompt (1,643 tokens with role tokens): 1,024 + 4 × 128.
        #expect(next.cacheRead == 1_536)
        #expect(next.cacheRead % 128 == 0)
        // Dropping the first message breaks the prefix: nothing is read.
        let dropped = simulator.usage(for: Self.openAI(Array(long.dropFirst(2)) + ["answer", "question"]), format: .openai, output: 5)
        #expect(dropped.cacheRead == 0)
    }

    @Test func anthropicWritesOnlyAtBreakpointsAndReadsWithin20Blocks() {
        let simulator = PromptCacheSimulator()
        let system = Self.text(7, tokens: 50)
        var messages = (0..<9).map { Self.text($0, tokens: 150) }
        // No breakpoint on the messages: only the (short) system prompt could be written, and it is under 1,024.
        let none = simulator.usage(for: Self.anthropic(system: system, messages, breakpoints: []), format: .anthropic, output: 5)
        #expect(none.cacheRead == 0 && none.cacheWrite == 0)
        // A breakpoint on the newest message writes everything up to it.
        let first = simulator.usage(for: Self.anthropic(system: system, messages, breakpoints: [8]), format: .anthropic, output: 5)
        #expect(first.cacheRead == 0)
        #expect(first.cacheWrite == first.input)
        // The next turn (two more blocks, breakpoint moved) reads the entry and writes the rest.
        messages += ["answer 9", "question 10"]
        let second = simulator.usage(for: Self.anthropic(system: system, messages, breakpoints: [10]), format: .anthropic, output: 5)
        #expect(second.cacheRead == first.input)
        #expect(second.cacheRead + second.cacheWrite == second.input)
        // 21 blocks later the old entries are beyond the lookback of the only breakpoint.
        messages += (0..<22).map { "filler \($0)" }
        let far = simulator.usage(for: Self.anthropic(system: system, messages, breakpoints: [messages.count - 1], systemBreakpoint: false),
                                  format: .anthropic, output: 5)
        #expect(far.cacheRead == 0)
    }

    @Test func cacheCountsAreRenderedInEachProvidersOwnFields() {
        let usage = TokenUsage(input: 2_000, output: 7, cacheRead: 1_536, cacheWrite: 300)
        let anthropic = Reply.stream(.anthropic, deltas: ["ok"], usage: usage).bodyText
        #expect(anthropic.contains(#""input_tokens":164,"cache_creation_input_tokens":300,"cache_read_input_tokens":1536"#))
        #expect(Reply.stream(.openai, deltas: ["ok"], usage: usage).bodyText.contains(#""prompt_tokens_details":{"cached_tokens":1536}"#))
        #expect(Reply.stream(.llamaCpp, deltas: ["ok"], usage: usage).bodyText.contains(#""timings":{"cache_n":1536,"prompt_n":464"#))
        #expect(Reply.stream(.gemini, deltas: ["ok"], usage: usage).bodyText.contains(#""cachedContentTokenCount":1536"#))
        #expect(Reply.stream(.ollama, deltas: ["ok"], usage: usage).bodyText.contains(#""prompt_eval_count":2000,"prompt_eval_cached_count":1536"#))
        // Without cache counts the streams are as before.
        #expect(!Reply.stream(.openai, deltas: ["ok"]).bodyText.contains("cached_tokens"))
    }
}
