/// The token counts a rendered answer reports (Anthropic `usage`, OpenAI `usage`, Gemini
/// `usageMetadata`, Ollama `prompt_eval_count`/`eval_count`).
public struct TokenUsage: Sendable, Equatable {
    /// Prompt (input) tokens.
    public var input: Int
    /// Generated (output) tokens.
    public var output: Int

    /// Creates usage counts.
    public init(input: Int, output: Int) {
        self.input = input
        self.output = output
    }

    /// The default for an answer of `deltaCount` deltas: 12 input tokens and one output token per delta.
    public static func standard(deltaCount: Int) -> TokenUsage {
        TokenUsage(input: 12, output: max(1, deltaCount))
    }
}
