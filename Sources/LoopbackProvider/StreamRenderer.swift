/// Renders one provider's stream events and answer bodies as exact text, following
/// `wire-protocols.md` (event order, field names, terminators).
struct StreamRenderer {
    let format: ProviderFormat
    let model: String
    let usage: TokenUsage

    private static let openAIPrefix = #"{"id":"chatcmpl-loopback","object":"chat.completion.chunk","created":1767225600,"model":"#
    private static let ollamaTime = "2026-01-01T00:00:00.000000Z"

    /// True when successive deltas with the same text render differently (Gemini's running usage).
    var deltaVaries: Bool { format == .gemini }

    /// One SSE event: optional `event:` line, a `data:` line, a blank line.
    private func sse(_ data: String, event: String? = nil) -> String {
        if let event { return "event: \(event)\ndata: \(data)\n\n" }
        return "data: \(data)\n\n"
    }

    /// Anthropic's usage object: `input_tokens` is only what came after the last breakpoint.
    private func anthropicUsage(output: Int) -> String {
        guard usage.hasCacheCounts else { return #"{"input_tokens":\#(usage.input),"output_tokens":\#(output)}"# }
        let uncached = max(0, usage.input - usage.cacheRead - usage.cacheWrite)
        return #"{"input_tokens":\#(uncached),"cache_creation_input_tokens":\#(usage.cacheWrite),"cache_read_input_tokens":\#(usage.cacheRead),"cache_creation":{"ephemeral_5m_input_tokens":\#(usage.cacheWrite),"ephemeral_1h_input_tokens":0},"output_tokens":\#(output)}"#
    }

    /// OpenAI's (and llama.cpp's) `prompt_tokens_details`, after a comma; empty without cache counts.
    private var openAIDetails: String {
        usage.hasCacheCounts ? #","prompt_tokens_details":{"cached_tokens":\#(usage.cacheRead)}"# : ""
    }

    /// Gemini's `cachedContentTokenCount`, after a comma; empty without a cache read (as Gemini does).
    private var geminiCached: String {
        usage.cacheRead > 0 ? #","cachedContentTokenCount":\#(usage.cacheRead)"# : ""
    }

    /// Ollama's `prompt_eval_cached_count`, after a comma; empty without a cache read.
    private var ollamaCached: String {
        usage.cacheRead > 0 ? #","prompt_eval_cached_count":\#(usage.cacheRead)"# : ""
    }

    /// Events sent before the first delta.
    func head() -> [String] {
        let quotedModel = JSONText.quote(model)
        switch format {
        case .anthropic:
            return [
                sse(#"{"type":"message_start","message":{"id":"msg_loopback","type":"message","role":"assistant","content":[],"model":\#(quotedModel),"stop_reason":null,"stop_sequence":null,"usage":\#(anthropicUsage(output: 1))}}"#, event: "message_start"),
                sse(#"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#, event: "content_block_start"),
                sse(#"{"type":"ping"}"#, event: "ping"),
            ]
        case .openai, .llamaCpp:
            return [sse(Self.openAIPrefix + quotedModel + #","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}"#)]
        case .gemini, .ollama:
            return []
        }
    }

    /// The event carrying delta `index` (0-based) of `count`.
    func delta(_ text: String, index: Int, count: Int) -> String {
        let quoted = JSONText.quote(text)
        switch format {
        case .anthropic:
            return sse(#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(quoted)}}"#, event: "content_block_delta")
        case .openai, .llamaCpp:
            return sse(Self.openAIPrefix + JSONText.quote(model) + #","choices":[{"index":0,"delta":{"content":\#(quoted)},"logprobs":null,"finish_reason":null}]}"#)
        case .gemini:
            let isLast = index == count - 1
            let produced = count > 0 ? usage.output * (index + 1) / count : usage.output
            let finish = isLast ? #","finishReason":"STOP""# : ""
            return sse(#"{"candidates":[{"content":{"parts":[{"text":\#(quoted)}],"role":"model"}\#(finish),"index":0}],"usageMetadata":{"promptTokenCount":\#(usage.input),"candidatesTokenCount":\#(produced),"totalTokenCount":\#(usage.input + produced)\#(geminiCached)},"modelVersion":\#(JSONText.quote(model)),"responseId":"loopback"}"#)
        case .ollama:
            return #"{"model":\#(JSONText.quote(model)),"created_at":"\#(Self.ollamaTime)","message":{"role":"assistant","content":\#(quoted)},"done":false}"# + "\n"
        }
    }

    /// Events sent after the last delta. Gemini has none when there were deltas (the last delta
    /// carries `finishReason`); with no deltas it sends one empty STOP chunk.
    func tail(deltaCount: Int) -> [String] {
        switch format {
        case .anthropic:
            return [
                sse(#"{"type":"content_block_stop","index":0}"#, event: "content_block_stop"),
                sse(#"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":\#(usage.output)}}"#, event: "message_delta"),
                sse(#"{"type":"message_stop"}"#, event: "message_stop"),
            ]
        case .openai, .llamaCpp:
            let prefix = Self.openAIPrefix + JSONText.quote(model)
            let timings = format == .llamaCpp
                ? #","timings":{"cache_n":\#(usage.cacheRead),"prompt_n":\#(usage.input - usage.cacheRead),"predicted_n":\#(usage.output)}"# : ""
            return [
                sse(prefix + #","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}"#),
                sse(prefix + #","choices":[],"usage":{"prompt_tokens":\#(usage.input),"completion_tokens":\#(usage.output),"total_tokens":\#(usage.input + usage.output)\#(openAIDetails)}\#(timings)}"#),
                "data: [DONE]\n\n",
            ]
        case .gemini:
            return deltaCount > 0 ? [] : [delta("", index: 0, count: 1)]
        case .ollama:
            return [#"{"model":\#(JSONText.quote(model)),"created_at":"\#(Self.ollamaTime)","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":\#(usage.input)\#(ollamaCached),"prompt_eval_duration":342546000,"eval_count":\#(usage.output),"eval_duration":4535599000}"# + "\n"]
        }
    }

    /// An error arriving inside a 200 stream (after which the provider sends nothing more).
    func inStreamError() -> String {
        switch format {
        case .anthropic:
            return sse(#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, event: "error")
        case .openai:
            return sse(#"{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}"#)
        case .llamaCpp:
            return sse(#"{"error":{"code":500,"message":"Loopback generation failed","type":"server_error"}}"#)
        case .gemini:
            return sse(#"{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}"#)
        case .ollama:
            return #"{"error":"an error was encountered while running the model: unexpected EOF"}"# + "\n"
        }
    }

    /// An event whose payload is not JSON (a truncated object).
    func malformed() -> String {
        switch format {
        case .anthropic:
            return "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_de\n\n"
        case .openai, .llamaCpp, .gemini:
            return "data: {\"id\":\"chatcmpl-loopback\",\"choices\":[{\"delta\":{\"content\":\"oops\n\n"
        case .ollama:
            return "{\"model\":\"\(model)\",\"message\":{\"role\":\"assist\n"
        }
    }

    /// The non-streamed answer body with `text`.
    func answerJSON(_ text: String) -> String {
        let quoted = JSONText.quote(text)
        let quotedModel = JSONText.quote(model)
        switch format {
        case .anthropic:
            return #"{"id":"msg_loopback","type":"message","role":"assistant","model":\#(quotedModel),"content":[{"type":"text","text":\#(quoted)}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(usage.hasCacheCounts ? anthropicUsage(output: usage.output) : #"{"input_tokens":\#(usage.input),"output_tokens":\#(usage.output),"cache_creation_input_tokens":0,"cache_read_input_tokens":0}"#)}"#
        case .openai, .llamaCpp:
            let timings = format == .llamaCpp
                ? #","timings":{"cache_n":\#(usage.cacheRead),"prompt_n":\#(usage.input - usage.cacheRead),"predicted_n":\#(usage.output)}"# : ""
            return #"{"id":"chatcmpl-loopback","object":"chat.completion","created":1767225600,"model":\#(quotedModel),"choices":[{"index":0,"message":{"role":"assistant","content":\#(quoted),"refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":\#(usage.input),"completion_tokens":\#(usage.output),"total_tokens":\#(usage.input + usage.output)\#(openAIDetails)}\#(timings)}"#
        case .gemini:
            return #"{"candidates":[{"content":{"parts":[{"text":\#(quoted)}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":\#(usage.input),"candidatesTokenCount":\#(usage.output),"totalTokenCount":\#(usage.input + usage.output)\#(geminiCached)},"modelVersion":\#(quotedModel),"responseId":"loopback"}"#
        case .ollama:
            return #"{"model":\#(quotedModel),"created_at":"\#(Self.ollamaTime)","message":{"role":"assistant","content":\#(quoted)},"done_reason":"stop","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":\#(usage.input)\#(ollamaCached),"prompt_eval_duration":342546000,"eval_count":\#(usage.output),"eval_duration":4535599000}"#
        }
    }
}
