/// Something that happened while an answer streamed.
public enum StreamEvent: Sendable, Equatable {
    /// New answer text, in arrival order. Consecutive deltas that arrived in one network read are joined.
    case text(String)
    /// Token usage as reported by the provider; a later report replaces an earlier one.
    case usage(TokenUsage)
    /// The answer is complete, and why it stopped.
    case finished(StopReason)
    /// A request failed before any answer arrived and will be sent again after a delay.
    case retrying(RetryNotice)
    /// How far the server is in reading the prompt before it answers (llama.cpp's
    /// `prompt_progress`): `processed` of `total` prompt tokens, `cached` of them reused.
    case promptProgress(processed: Int, total: Int, cached: Int)
}

/// Tokens used by one call, as the provider counted them. Any count may be missing.
///
/// ``inputTokens`` is always the whole prompt, cached part included, whatever the provider's own
/// field means (Anthropic's `input_tokens` excludes both cache counts; the formats add them back).
public struct TokenUsage: Sendable, Equatable, Codable {
    /// Tokens of everything that was sent (system prompt, messages, cached prefix included).
    public var inputTokens: Int?
    /// Tokens of the answer.
    public var outputTokens: Int?
    /// Prompt tokens read from the provider's prompt cache (Anthropic `cache_read_input_tokens`,
    /// OpenAI `cached_tokens`, llama.cpp `cache_n`, Gemini `cachedContentTokenCount`, Ollama
    /// `prompt_eval_cached_count`); part of ``inputTokens``.
    public var cacheReadTokens: Int?
    /// Prompt tokens written to the cache (Anthropic `cache_creation_input_tokens`); part of ``inputTokens``.
    public var cacheWriteTokens: Int?

    public init(inputTokens: Int? = nil, outputTokens: Int? = nil, cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
    }

    /// This usage with any count that `newer` has replacing the one here.
    public func merging(_ newer: TokenUsage) -> TokenUsage {
        TokenUsage(
            inputTokens: newer.inputTokens ?? inputTokens, outputTokens: newer.outputTokens ?? outputTokens,
            cacheReadTokens: newer.cacheReadTokens ?? cacheReadTokens,
            cacheWriteTokens: newer.cacheWriteTokens ?? cacheWriteTokens)
    }

    /// Prompt tokens the provider processed afresh: the input less what was read from the cache.
    public var uncachedInputTokens: Int? { inputTokens.map { max(0, $0 - (cacheReadTokens ?? 0)) } }
}

/// Why an answer ended, normalised across providers, with the provider's own word kept.
public struct StopReason: Sendable, Equatable, Codable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The model finished its answer.
        case endTurn
        /// The answer hit the output-token limit.
        case maxTokens
        /// A provider filter blocked or cut the answer (safety, recitation, refusal).
        case blocked
        /// The context window filled up during generation.
        case contextWindow
        /// Anything else.
        case other
    }

    public var kind: Kind
    /// The provider's own value, e.g. `end_turn`, `length`, `SAFETY`.
    public var raw: String

    public init(kind: Kind, raw: String) {
        self.kind = kind
        self.raw = raw
    }

    public var description: String { raw }

    /// Whether the analyst should be told about this stop (anything but a normal end).
    public var isNoteworthy: Bool { kind != .endTurn }
}

/// A retry about to happen, for the analyst's dimmed status line.
public struct RetryNotice: Sendable, Equatable {
    /// The provider that failed.
    public var provider: Provider
    /// What went wrong, e.g. "rate limited", "overloaded", "connection refused".
    public var reason: String
    /// How long until the next attempt.
    public var delay: Duration
    /// Which retry this is (1-based) and how many are allowed.
    public var attempt: Int
    public var maxAttempts: Int

    public init(provider: Provider, reason: String, delay: Duration, attempt: Int, maxAttempts: Int) {
        self.provider = provider
        self.reason = reason
        self.delay = delay
        self.attempt = attempt
        self.maxAttempts = maxAttempts
    }
}
