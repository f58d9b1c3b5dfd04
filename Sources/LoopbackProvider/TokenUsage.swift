/// The token counts a rendered answer reports (Anthropic `usage`, OpenAI `usage`, Gemini
/// `usageMetadata`, Ollama `prompt_eval_count`/`eval_count`), with the prompt-cache counts that
/// ``PromptCacheSimulator`` works out, written in each provider's own fields.
public struct TokenUsage: Sendable, Equatable {
    /// Prompt (input) tokens, the cached part included.
    public var input: Int
    /// Generated (output) tokens.
    public var output: Int
    /// Prompt tokens read from the cache (part of ``input``); rendered only when not zero.
    public var cacheRead: Int
    /// Prompt tokens written to the cache (part of ``input``; Anthropic only); rendered only when not zero.
    public var cacheWrite: Int

    /// Creates usage counts.
    public init(input: Int, output: Int, cacheRead: Int = 0, cacheWrite: Int = 0) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    /// Whether there are cache counts to render.
    var hasCacheCounts: Bool { cacheRead > 0 || cacheWrite > 0 }

    /// The default for an answer of `deltaCount` deltas: 12 input tokens and one output token per delta.
    public static func standard(deltaCount: Int) -> TokenUsage {
        TokenUsage(input: 12, output: max(1, deltaCount))
    }
}
