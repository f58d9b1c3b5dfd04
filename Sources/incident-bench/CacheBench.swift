#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Synchronization

/// `incident-bench cache`: the share of prompt tokens read from the provider's cache over a long
/// conversation, for each provider and strategy, with the cache-aware view and with the naive one
/// (the longest suffix that fits, every turn, no caching hints).
///
/// A real ``ChatSession`` runs a scripted transcript against a loopback provider whose
/// ``PromptCacheSimulator`` applies that provider's caching rules and reports the hits in the
/// provider's own usage fields; the session reads them back like any usage report.
enum CacheBench {
    /// One answer request as the loopback server saw it.
    struct Turn {
        var usage: LoopbackProvider.TokenUsage
        var isSummary: Bool
        var sendsFirstQuestion: Bool
    }

    /// The analyst's question for turn `index`: 150–250 characters, an indicator now and then.
    static func question(_ index: Int, rng: inout XorShift) -> String {
        "Question \(index): " + message(length: 150 + rng.below(100), rng: &rng, indicator: rng.below(3) == 0)
    }

    /// The canned answer (about 90 tokens), streamed word by word.
    static let answer = (0..<40).map { ["The ", "beacon ", "from ", "WS-014 ", "suggests ", "lateral ", "movement; ",
                                        "check ", "the ", "proxy "][$0 % 10] }

    static func run(format: ProviderFormat, strategy: String, cacheAware: Bool, turns: Int, window: Int, maxTokens: Int, lowWater: Double?) async -> [Turn] {
        let simulator = PromptCacheSimulator()
        let log = Mutex<[Turn]>([])
        let server: LoopbackServer
        do {
            server = try LoopbackServer { request in
                guard request.method == "POST" else { return .json("{}") }
                if request.pathWithoutQuery.hasSuffix("count_tokens") {
                    return .json(#"{"input_tokens":\#(simulator.promptTokens(for: request, format: format))}"#)
                }
                let usage = simulator.usage(for: request, format: format, output: answer.count)
                let text = request.bodyText
                log.withLock {
                    $0.append(Turn(usage: usage, isSummary: text.contains("You maintain a running summary"),
                                   sendsFirstQuestion: text.contains("Question 0: ")))
                }
                return .success(format, deltas: answer, usage: usage, for: request)
            }
        } catch {
            fail("cannot start the loopback server: \(error)")
        }
        defer { server.stop() }

        let transport = CurlTransport(options: TransportOptions())
        let client: any LLMClient
        let provider: Provider
        let model: String
        switch format {
        case .anthropic:
            provider = .anthropic
            model = "claude-sonnet-4-5"
            client = AnthropicClient(format: AnthropicFormat(baseURL: server.baseURL, apiKey: "k"), transport: transport)
        case .openai:
            provider = .openai
            model = "gpt-4.1"
            client = OpenAIClient(format: OpenAIFormat(provider: .openai, baseURL: server.baseURL + "/v1", apiKey: "k"), transport: transport)
        case .llamaCpp:
            provider = .local
            model = "local"
            client = OpenAIClient(format: OpenAIFormat(provider: .local, baseURL: server.baseURL + "/v1", apiKey: nil), transport: transport)
        case .gemini:
            provider = .gemini
            model = "gemini-2.5-flash"
            client = GeminiClient(format: GeminiFormat(baseURL: server.baseURL, apiKey: "k"), transport: transport)
        case .ollama:
            provider = .ollama
            model = "llama3.2"
            client = OllamaClient(format: OllamaFormat(baseURL: server.baseURL), transport: transport)
        }

        var rng = XorShift(state: 0x5EED_CAC4E)
        let lines = (0..<turns).map { question($0, rng: &rng) }
        _ = await ScriptedSessionRun.run(
            lines: lines, systemPrompt: "You are an incident-response assistant for a security analyst. Be precise and brief.",
            strategy: strategy,
            options: .init(provider: provider, model: model, maxTokens: maxTokens, contextWindow: window,
                           temperature: 0, promptCaching: cacheAware, lowWaterFraction: lowWater),
            client: client)
        return log.withLock { $0 }
    }

    /// Runs every provider × strategy × view and prints one JSON line each.
    static func main(
        turns: Int, window: Int, maxTokens: Int, lowWater: Double?, formats: [ProviderFormat], strategies: [String]
    ) async {
        for format in formats {
            for strategy in strategies {
                for cacheAware in [true, false] {
                    let log = await run(format: format, strategy: strategy, cacheAware: cacheAware, turns: turns,
                                        window: window, maxTokens: maxTokens, lowWater: lowWater)
                    let answers = log.filter { !$0.isSummary }
                    let firstTruncation = answers.firstIndex { !$0.sendsFirstQuestion } ?? answers.count
                    let after = answers[firstTruncation...]
                    func ratio(_ turns: some Collection<Turn>) -> Double {
                        let input = turns.reduce(0) { $0 + $1.usage.input }
                        let read = turns.reduce(0) { $0 + $1.usage.cacheRead }
                        return input == 0 ? 0 : Double(read) / Double(input)
                    }
                    var fields: [(String, String)] = [
                        ("bench", quoted("cache")), ("provider", quoted(format.rawValue)), ("strategy", quoted(strategy)),
                        ("view", quoted(cacheAware ? "cache-aware" : "naive")), ("turns", String(answers.count)),
                        ("summary_requests", String(log.count - answers.count)),
                        ("window", String(window)), ("low_water", number(lowWater ?? ContextBudget.defaultLowWaterFraction)), ("first_truncation_turn", String(firstTruncation + 1)),
                        ("cache_read_ratio_after_first_truncation", number((ratio(after) * 1000).rounded() / 1000)),
                        ("cache_read_ratio_all_turns", number((ratio(answers) * 1000).rounded() / 1000)),
                        ("prompt_tokens", String(answers.reduce(0) { $0 + $1.usage.input })),
                        ("cache_read_tokens", String(answers.reduce(0) { $0 + $1.usage.cacheRead })),
                        ("cache_write_tokens", String(answers.reduce(0) { $0 + $1.usage.cacheWrite })),
                    ]
                    if format == .anthropic, let price = PriceTable.price(for: "claude-sonnet-4-5", provider: .anthropic) {
                        // Every request of the conversation, summaries included, at list prices.
                        var withCache = 0.0, withoutCache = 0.0
                        for turn in log {
                            let usage = LLMClients.TokenUsage(
                                inputTokens: turn.usage.input, outputTokens: turn.usage.output,
                                cacheReadTokens: turn.usage.cacheRead, cacheWriteTokens: turn.usage.cacheWrite)
                            withCache += PriceTable.cost(of: usage, at: price)
                            withoutCache += PriceTable.costWithoutCache(of: usage, at: price)
                        }
                        fields.append(("sonnet_cost_usd", number((withCache * 10_000).rounded() / 10_000)))
                        fields.append(("sonnet_cost_if_uncached_usd", number((withoutCache * 10_000).rounded() / 10_000)))
                    }
                    if getenv("CACHE_BENCH_TURNS") != nil {
                        for (index, turn) in log.enumerated() {
                            emit([("turn", String(index + 1)), ("summary", String(turn.isSummary)), ("input", String(turn.usage.input)),
                                  ("read", String(turn.usage.cacheRead)), ("write", String(turn.usage.cacheWrite))])
                        }
                    }
                    emit(fields)
                }
            }
        }
    }
}
