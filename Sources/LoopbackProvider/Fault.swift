/// A failure a real provider can produce but a real server can't be made to produce on demand.
/// Render one with ``Reply/fault(_:_:deltas:usage:model:)``.
public enum Fault: Sendable {
    /// 429 with the provider's body; `retry-after` and/or `retry-after-ms` headers when given.
    case rateLimited(retryAfter: String? = nil, retryAfterMilliseconds: String? = nil)
    /// Anthropic 529 `overloaded_error`; 503 for the others.
    case overloaded
    /// A 5xx (default 500) with the provider's server-error body.
    case serverError(status: Int = 500)
    /// 503 with the provider's unavailable body (llama.cpp: "Loading model").
    case unavailable
    /// 401 with the provider's authentication-error body.
    case unauthorized
    /// The provider's real context-overflow error (defaults are the observed numbers). Ollama has no
    /// such error: it truncates silently, so this is a success whose `prompt_eval_count` is `limit`
    /// (default 2048), smaller than what was sent.
    case contextOverflow(requested: Int? = nil, limit: Int? = nil)
    /// 404 for an unknown model (nil: the reply's model name).
    case modelNotFound(String? = nil)
    /// Out of credit: OpenAI 429 `insufficient_quota`; Anthropic 400 credit balance; Gemini 429
    /// quota; Ollama and llama.cpp 429.
    case quotaExhausted
    /// A 200 stream that stops after `afterDeltas` deltas with ``Reply/Part/cut`` (no terminator).
    case streamCut(afterDeltas: Int)
    /// A 200 stream with the provider's in-stream error after `afterDeltas` deltas, then a clean end
    /// with no normal terminator (no `message_stop`, `[DONE]` or `done:true`).
    case inStreamError(afterDeltas: Int = 1)
    /// A 200 stream with one non-JSON event after `afterDeltas` deltas; then the rest of the stream
    /// when `thenContinue`, else a clean end of body.
    case malformedEvent(afterDeltas: Int = 1, thenContinue: Bool = true)
    /// A normal stream whose status line waits `Duration` first.
    case slowFirstByte(Duration)
    /// A normal stream with `interval` between parts (set it above the client's stall timeout).
    case trickle(interval: Duration)
    /// A normal stream of about `bytes` bytes of answer text, in 1,000-byte deltas.
    case hugeAnswer(bytes: Int = 10_000_000)
    /// An error carrying `x-should-retry`: `true` on a 400 (retry what is normally final), `false`
    /// on a 500 (do not retry what is normally retried).
    case shouldRetry(Bool)
}
