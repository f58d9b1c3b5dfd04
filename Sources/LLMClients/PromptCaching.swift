/// How a request asks the provider to keep its prompt prefix cached for the next turn.
///
/// Every provider caches only an exact prefix; the conversation keeps the prefix stable and this
/// value tells each wire format how to say so on its wire:
/// - Anthropic: `cache_control` breakpoints on the system prompt and on the newest message, with ``ttl``.
/// - OpenAI: ``sessionKey`` as `prompt_cache_key`, so that one session's requests reach the same cache.
/// - llama.cpp (the embedded server): `cache_prompt: true`.
/// - Ollama: ``keepAlive`` as `keep_alive`, so that the model and its KV cache stay loaded between turns.
/// - Gemini caches implicitly; nothing is sent.
public struct PromptCaching: Sendable, Equatable, Codable {
    /// How long an Anthropic cache entry lives unless it is read again.
    public enum TTL: String, Sendable, Equatable, Codable, CaseIterable {
        /// Five minutes (a write costs 1.25× the input price).
        case fiveMinutes = "5m"
        /// One hour (a write costs 2× the input price): for analysts who read logs between questions.
        case oneHour = "1h"
    }

    /// Whether caching hints are sent at all.
    public var isEnabled: Bool
    /// The lifetime of Anthropic cache entries.
    public var ttl: TTL
    /// A key that stays the same for the whole session (OpenAI `prompt_cache_key`).
    public var sessionKey: String?
    /// How long Ollama keeps the model loaded after a request, e.g. `30m`.
    public var keepAlive: String

    /// The most `cache_control` breakpoints Anthropic accepts in one request.
    public static let maximumBreakpoints = 4

    public init(isEnabled: Bool = true, ttl: TTL = .fiveMinutes, sessionKey: String? = nil, keepAlive: String = "30m") {
        self.isEnabled = isEnabled
        self.ttl = ttl
        self.sessionKey = sessionKey
        self.keepAlive = keepAlive
    }

    /// No hints: the request is sent as before caching was designed in.
    public static let disabled = PromptCaching(isEnabled: false)
}
