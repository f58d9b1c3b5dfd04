/// List prices of the hosted models and their prompt-cache rules, as data in one place.
///
/// Dated: the figures are the providers' published list prices in US dollars per million tokens
/// as of ``asOf`` (Anthropic's and OpenAI's pricing pages and the caching notes in
/// `shared/reference/caching.md`); they change, so update this table, not the code that uses it.
/// Local models (the embedded server, Ollama) cost nothing.
public enum PriceTable {
    /// When the figures below were taken from the public price pages.
    public static let asOf = "2026-06"

    /// One model family's prices per million tokens, and the shortest prompt it caches.
    public struct Price: Sendable, Equatable {
        /// A name for the analyst, e.g. `Claude Sonnet 4.x`.
        public var family: String
        /// Uncached input.
        public var input: Double
        /// Output.
        public var output: Double
        /// A prompt-cache read.
        public var cacheRead: Double
        /// A cache write with a 5-minute lifetime (OpenAI and Gemini: writes are free, the input price).
        public var cacheWrite5m: Double
        /// A cache write with a 1-hour lifetime.
        public var cacheWrite1h: Double
        /// The shortest prefix the provider caches, in tokens; shorter prompts silently miss.
        public var minimumCacheableTokens: Int
    }

    /// Model-name prefixes and their prices; the first prefix that matches wins, so more
    /// specific names come first.
    public static let entries: [(prefix: String, price: Price)] = [
        // Anthropic: read 0.1×, 5-minute write 1.25×, 1-hour write 2× the input price.
        ("claude-opus-4-1", anthropic("Claude Opus 4.1", input: 15, output: 75, minimum: 1_024)),
        ("claude-opus-4-0", anthropic("Claude Opus 4", input: 15, output: 75, minimum: 1_024)),
        ("claude-opus-4-2025", anthropic("Claude Opus 4", input: 15, output: 75, minimum: 1_024)),
        ("claude-opus", anthropic("Claude Opus 4.5+", input: 5, output: 25, minimum: 4_096)),
        ("claude-sonnet", anthropic("Claude Sonnet 4.x", input: 3, output: 15, minimum: 1_024)),
        ("claude-3-7-sonnet", anthropic("Claude Sonnet 3.7", input: 3, output: 15, minimum: 1_024)),
        ("claude-3-5-sonnet", anthropic("Claude Sonnet 3.5", input: 3, output: 15, minimum: 1_024)),
        ("claude-haiku", anthropic("Claude Haiku 4.5", input: 1, output: 5, minimum: 4_096)),
        ("claude-3-5-haiku", anthropic("Claude Haiku 3.5", input: 0.8, output: 4, minimum: 2_048)),
        // OpenAI: reads at the cached-input price, writes free; caching from 1,024 tokens.
        ("gpt-4o-mini", openAI("GPT-4o mini", input: 0.15, cached: 0.075, output: 0.6)),
        ("gpt-4o", openAI("GPT-4o", input: 2.5, cached: 1.25, output: 10)),
        ("gpt-4.1-nano", openAI("GPT-4.1 nano", input: 0.1, cached: 0.025, output: 0.4)),
        ("gpt-4.1-mini", openAI("GPT-4.1 mini", input: 0.4, cached: 0.1, output: 1.6)),
        ("gpt-4.1", openAI("GPT-4.1", input: 2, cached: 0.5, output: 8)),
        // Gemini implicit caching: reads at the cached price (75% off at launch), writes free.
        ("gemini-2.5-flash-lite", gemini("Gemini 2.5 Flash-Lite", input: 0.1, cached: 0.025, output: 0.4, minimum: 2_048)),
        ("gemini-2.5-flash", gemini("Gemini 2.5 Flash", input: 0.3, cached: 0.075, output: 2.5, minimum: 2_048)),
        ("gemini-2.5-pro", gemini("Gemini 2.5 Pro", input: 1.25, cached: 0.3125, output: 10, minimum: 2_048)),
    ]

    /// The price of a model by name, or `nil` for a model with no published price here (local ones).
    public static func price(for model: String, provider: Provider) -> Price? {
        guard provider != .local, provider != .ollama else { return nil }
        let name = model.lowercased().split(separator: "/").last.map(String.init) ?? model.lowercased()
        return entries.first { name.hasPrefix($0.prefix) }?.price
    }

    /// Whether a provider's models run on this machine (and so cost nothing).
    public static func isLocal(_ provider: Provider) -> Bool { provider == .local || provider == .ollama }

    /// The cost in dollars of some usage at a price: uncached input, cache reads and writes, output.
    public static func cost(of usage: TokenUsage, at price: Price, ttl: PromptCaching.TTL = .fiveMinutes) -> Double {
        let read = Double(usage.cacheReadTokens ?? 0)
        let write = Double(usage.cacheWriteTokens ?? 0)
        let input = Double(usage.inputTokens ?? 0)
        let plain = max(0, input - read - write)
        let writePrice = ttl == .oneHour ? price.cacheWrite1h : price.cacheWrite5m
        return (plain * price.input + read * price.cacheRead + write * writePrice
            + Double(usage.outputTokens ?? 0) * price.output) / 1_000_000
    }

    /// The cost of the same usage had nothing been cached: every input token at the input price.
    public static func costWithoutCache(of usage: TokenUsage, at price: Price) -> Double {
        (Double(usage.inputTokens ?? 0) * price.input + Double(usage.outputTokens ?? 0) * price.output) / 1_000_000
    }

    private static func anthropic(_ family: String, input: Double, output: Double, minimum: Int) -> Price {
        Price(family: family, input: input, output: output, cacheRead: input * 0.1, cacheWrite5m: input * 1.25,
              cacheWrite1h: input * 2, minimumCacheableTokens: minimum)
    }

    private static func openAI(_ family: String, input: Double, cached: Double, output: Double) -> Price {
        Price(family: family, input: input, output: output, cacheRead: cached, cacheWrite5m: input,
              cacheWrite1h: input, minimumCacheableTokens: 1_024)
    }

    private static func gemini(_ family: String, input: Double, cached: Double, output: Double, minimum: Int) -> Price {
        Price(family: family, input: input, output: output, cacheRead: cached, cacheWrite5m: input,
              cacheWrite1h: input, minimumCacheableTokens: minimum)
    }
}
