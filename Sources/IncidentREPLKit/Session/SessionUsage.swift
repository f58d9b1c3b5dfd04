import ConversationCore
public import LLMClients

/// What the answers of a session used, added up from the providers' usage reports, for `/tokens`.
public struct SessionUsage: Sendable, Equatable {
    /// Answers whose usage was reported.
    public var answers = 0
    /// Prompt tokens, cached part included.
    public var inputTokens = 0
    /// Prompt tokens read from the provider's cache.
    public var cacheReadTokens = 0
    /// Prompt tokens written to the provider's cache.
    public var cacheWriteTokens = 0
    /// Answer tokens.
    public var outputTokens = 0

    public init() {}

    /// The totals of answers read back from a journal (`--resume`, `/resume`).
    public init(replaying answers: some Sequence<JournalEvent.Answer>) {
        for answer in answers {
            add(TokenUsage(inputTokens: answer.inputTokens, outputTokens: answer.outputTokens,
                           cacheReadTokens: answer.cacheReadTokens, cacheWriteTokens: answer.cacheWriteTokens))
        }
    }

    /// Adds one answer's usage.
    public mutating func add(_ usage: TokenUsage) {
        guard usage.inputTokens != nil || usage.outputTokens != nil else { return }
        answers += 1
        inputTokens += usage.inputTokens ?? 0
        cacheReadTokens += usage.cacheReadTokens ?? 0
        cacheWriteTokens += usage.cacheWriteTokens ?? 0
        outputTokens += usage.outputTokens ?? 0
    }

    /// The totals as one usage report, for pricing.
    public var total: TokenUsage {
        TokenUsage(inputTokens: inputTokens, outputTokens: outputTokens, cacheReadTokens: cacheReadTokens,
                   cacheWriteTokens: cacheWriteTokens)
    }

    /// The lines `/tokens` shows: the totals, the share read from the cache, and the estimated cost
    /// with and without the cache from ``PriceTable`` (nothing for local models).
    public func report(provider: Provider, model: String, ttl: PromptCaching.TTL) -> [String] {
        var lines = [
            "session: \(answers) \(answers == 1 ? "answer" : "answers") · \(inputTokens.grouped) in (\(cacheReadTokens.grouped) cache read, "
                + "\(cacheWriteTokens.grouped) cache write) · \(outputTokens.grouped) out"
        ]
        if inputTokens > 0 {
            let share = Double(cacheReadTokens) / Double(inputTokens) * 100
            lines.append("cache: \(String(format1: share))% of prompt tokens read from the cache")
        }
        if PriceTable.isLocal(provider) {
            lines.append("cost: none (a local model)")
        } else if let price = PriceTable.price(for: model, provider: provider) {
            let with = PriceTable.cost(of: total, at: price, ttl: ttl)
            let without = PriceTable.costWithoutCache(of: total, at: price)
            lines.append("cost: about $\(String(format4: with)) with the cache, $\(String(format4: without)) without "
                + "(\(price.family) list prices as of \(PriceTable.asOf))")
        } else {
            lines.append("cost: no published price for \(model) in the price table")
        }
        return lines
    }
}

extension String {
    /// A number with one decimal, e.g. `87.5`.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }

    /// A number with four decimals, e.g. `0.0123`.
    init(format4 value: Double) {
        let scaled = Int((value * 10_000).rounded())
        let fraction = String(abs(scaled % 10_000))
        self = "\(scaled / 10_000)." + String(repeating: "0", count: 4 - fraction.count) + fraction
    }
}
