/// Provider vocabulary: successful answers and errors in each wire format.
extension Reply {
    /// The deltas used when none are given: "Hello, world."
    public static let defaultDeltas = ["Hello", ", ", "world", "."]

    /// A successful streamed answer (`Transfer-Encoding: chunked`, one event per chunk) made of `deltas`,
    /// with `interval` between parts. Usage defaults to ``TokenUsage/standard(deltaCount:)``.
    public static func stream(
        _ format: ProviderFormat, deltas: [String] = defaultDeltas, usage: TokenUsage? = nil,
        model: String = ProviderFormat.defaultModel, interval: Duration = .zero
    ) -> Reply {
        let renderer = StreamRenderer(format: format, model: model, usage: usage ?? .standard(deltaCount: deltas.count))
        let body = renderer.head() + renderedDeltas(renderer, deltas, count: deltas.count) + renderer.tail(deltaCount: deltas.count)
        return streamReply(format, body.map { .text($0) }).trickled(every: interval)
    }

    /// A successful non-streamed answer (`Content-Length`, one JSON object).
    public static func answer(
        _ format: ProviderFormat, text: String = defaultDeltas.joined(), usage: TokenUsage = .standard(deltaCount: 4),
        model: String = ProviderFormat.defaultModel
    ) -> Reply {
        let renderer = StreamRenderer(format: format, model: model, usage: usage)
        return .json(renderer.answerJSON(text), headers: requestIDHeaders(format))
    }

    /// ``stream(_:deltas:usage:model:interval:)`` or ``answer(_:text:usage:model:)``, whichever `request` asked for.
    public static func success(
        _ format: ProviderFormat, deltas: [String] = defaultDeltas, usage: TokenUsage? = nil,
        model: String = ProviderFormat.defaultModel, for request: RecordedRequest
    ) -> Reply {
        if format.wantsStream(request) { return .stream(format, deltas: deltas, usage: usage, model: model) }
        return .answer(format, text: deltas.joined(), usage: usage ?? .standard(deltaCount: deltas.count), model: model)
    }

    /// A plain error reply in `format`'s error shape. `type` is Anthropic's `error.type`, OpenAI's and
    /// llama.cpp's `error.type`, Gemini's `error.status` (each defaulted from `status`); `code` is
    /// OpenAI's `error.code`. Ollama's body is `{"error":message}`.
    public static func error(
        _ format: ProviderFormat, status: Int, message: String, type: String? = nil, code: String? = nil,
        headers: [(String, String)] = []
    ) -> Reply {
        let quoted = JSONText.quote(message)
        let body: String
        switch format {
        case .anthropic:
            let kind = type ?? anthropicErrorType(status)
            body = #"{"type":"error","error":{"type":"\#(kind)","message":\#(quoted)},"request_id":"req_loopback"}"#
        case .openai:
            let kind = type ?? (status >= 500 ? "server_error" : "invalid_request_error")
            let codeText = code.map { JSONText.quote($0) } ?? "null"
            body = #"{"error":{"message":\#(quoted),"type":"\#(kind)","param":null,"code":\#(codeText)}}"#
        case .llamaCpp:
            let kind = type ?? llamaErrorType(status)
            body = #"{"error":{"code":\#(status),"message":\#(quoted),"type":"\#(kind)"}}"#
        case .gemini:
            let kind = type ?? geminiStatus(status)
            body = #"{"error":{"code":\#(status),"message":\#(quoted),"status":"\#(kind)"}}"#
        case .ollama:
            body = #"{"error":\#(quoted)}"#
        }
        return .json(body, status: status, headers: requestIDHeaders(format) + headers)
    }

    /// The reply for `fault` in `format`. Stream faults always stream, whatever the request asked for.
    public static func fault(
        _ format: ProviderFormat, _ fault: Fault, deltas: [String] = defaultDeltas, usage: TokenUsage? = nil,
        model: String = ProviderFormat.defaultModel
    ) -> Reply {
        let usage = usage ?? .standard(deltaCount: deltas.count)
        let renderer = StreamRenderer(format: format, model: model, usage: usage)
        switch fault {
        case .rateLimited(let retryAfter, let retryAfterMilliseconds):
            var headers: [(String, String)] = []
            if let retryAfter { headers.append(("retry-after", retryAfter)) }
            if let retryAfterMilliseconds { headers.append(("retry-after-ms", retryAfterMilliseconds)) }
            return rateLimitedReply(format, model: model, headers: headers)
        case .overloaded:
            switch format {
            case .anthropic: return .error(format, status: 529, message: "Overloaded", type: "overloaded_error")
            case .openai: return .error(format, status: 503, message: "The engine is currently overloaded, please try again later")
            case .gemini: return .error(format, status: 503, message: "The model is overloaded. Please try again later.")
            case .ollama: return .error(format, status: 503, message: "server busy, please try again.  maximum pending requests exceeded")
            case .llamaCpp: return .error(format, status: 503, message: "Loading model", type: "unavailable_error")
            }
        case .serverError(let status):
            return serverErrorReply(format, status: status)
        case .unavailable:
            switch format {
            case .anthropic: return .error(format, status: 503, message: "Service Unavailable", type: "api_error")
            case .openai: return .error(format, status: 503, message: "Service Unavailable", type: "server_error")
            case .gemini: return .error(format, status: 503, message: "The service is currently unavailable.")
            case .ollama: return .error(format, status: 503, message: "service unavailable")
            case .llamaCpp: return .error(format, status: 503, message: "Loading model", type: "unavailable_error")
            }
        case .unauthorized:
            switch format {
            case .anthropic: return .error(format, status: 401, message: "invalid x-api-key", type: "authentication_error")
            case .openai:
                return .error(format, status: 401, message: "Incorrect API key provided: sk-loop****back. You can find your API key at https://platform.openai.com/account/api-keys.", code: "invalid_api_key")
            case .gemini:
                return .error(format, status: 401, message: "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", type: "UNAUTHENTICATED")
            case .ollama: return .error(format, status: 401, message: "unauthorized")
            case .llamaCpp: return .error(format, status: 401, message: "Invalid API Key", type: "authentication_error")
            }
        case .contextOverflow(let requested, let limit):
            return contextOverflowReply(format, requested: requested, limit: limit, deltas: deltas, usage: usage, model: model)
        case .modelNotFound(let name):
            let missing = name ?? model
            switch format {
            case .anthropic: return .error(format, status: 404, message: "model: \(missing)", type: "not_found_error")
            case .openai:
                return .error(format, status: 404, message: "The model `\(missing)` does not exist or you do not have access to it.", code: "model_not_found")
            case .gemini:
                return .error(format, status: 404, message: "models/\(missing) is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.")
            case .ollama: return .error(format, status: 404, message: "model \"\(missing)\" not found, try pulling it first")
            case .llamaCpp: return .error(format, status: 404, message: "model '\(missing)' not found", type: "not_found_error")
            }
        case .quotaExhausted:
            switch format {
            case .anthropic:
                return .error(format, status: 400, message: "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.", type: "invalid_request_error")
            case .openai:
                return .error(format, status: 429, message: "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", type: "insufficient_quota", code: "insufficient_quota")
            case .gemini:
                return .error(format, status: 429, message: "You exceeded your current quota, please check your plan and billing details.", type: "RESOURCE_EXHAUSTED")
            case .ollama: return .error(format, status: 429, message: "you have reached your usage limit")
            case .llamaCpp: return .error(format, status: 429, message: "quota exhausted", type: "rate_limit_error")
            }
        case .streamCut(let afterDeltas):
            let kept = Array(deltas.prefix(afterDeltas))
            let body = renderer.head() + renderedDeltas(renderer, kept, count: deltas.count)
            return streamReply(format, body.map { .text($0) } + [.cut])
        case .inStreamError(let afterDeltas):
            let kept = Array(deltas.prefix(afterDeltas))
            let body = renderer.head() + renderedDeltas(renderer, kept, count: deltas.count) + [renderer.inStreamError()]
            return streamReply(format, body.map { .text($0) })
        case .malformedEvent(let afterDeltas, let thenContinue):
            let split = min(afterDeltas, deltas.count)
            let rendered = renderedDeltas(renderer, deltas, count: deltas.count)
            var body = renderer.head() + rendered[..<split] + [renderer.malformed()]
            if thenContinue { body += rendered[split...] + renderer.tail(deltaCount: deltas.count) }
            return streamReply(format, body.map { .text($0) })
        case .slowFirstByte(let delay):
            var reply = stream(format, deltas: deltas, usage: usage, model: model)
            reply.delayBeforeHead = delay
            return reply
        case .trickle(let interval):
            return stream(format, deltas: deltas, usage: usage, model: model, interval: interval)
        case .hugeAnswer(let bytes):
            let piece = String(repeating: "lorem ipsum dolor sit amet, ", count: 36).prefix(999) + "\n"
            let count = max(1, bytes / piece.utf8.count)
            let huge = [String](repeating: String(piece), count: count)
            return stream(format, deltas: huge, usage: TokenUsage(input: usage.input, output: count * 250), model: model)
        case .shouldRetry(let retry):
            if retry {
                return .error(format, status: 400, message: "Loopback: a 400 that should be retried", headers: [("x-should-retry", "true")])
            }
            return serverErrorReply(format, status: 500).adding(header: "x-should-retry", "false")
        }
    }

    // MARK: - Helpers

    private static func renderedDeltas(_ renderer: StreamRenderer, _ deltas: [String], count: Int) -> [String] {
        deltas.enumerated().map { renderer.delta($0.element, index: $0.offset, count: count) }
    }

    private static func streamReply(_ format: ProviderFormat, _ parts: [Part]) -> Reply {
        Reply(
            status: 200,
            headers: [("content-type", format.streamContentType), ("cache-control", "no-cache")] + requestIDHeaders(format),
            parts: parts, chunked: true)
    }

    static func requestIDHeaders(_ format: ProviderFormat) -> [(String, String)] {
        switch format {
        case .anthropic: [("request-id", "req_loopback")]
        case .openai: [("x-request-id", "req_loopback")]
        case .gemini, .ollama, .llamaCpp: []
        }
    }

    private static func rateLimitedReply(_ format: ProviderFormat, model: String, headers: [(String, String)]) -> Reply {
        switch format {
        case .anthropic:
            return .error(format, status: 429, message: "This request would exceed the rate limit for your organization of 50 requests per minute.", type: "rate_limit_error", headers: headers)
        case .openai:
            return .error(format, status: 429, message: "Rate limit reached for \(model) on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", type: "requests", code: "rate_limit_exceeded", headers: headers)
        case .gemini:
            return .error(format, status: 429, message: "Resource has been exhausted (e.g. check quota).", headers: headers)
        case .ollama:
            return .error(format, status: 429, message: "too many requests", headers: headers)
        case .llamaCpp:
            return .error(format, status: 429, message: "too many requests", type: "rate_limit_error", headers: headers)
        }
    }

    private static func serverErrorReply(_ format: ProviderFormat, status: Int) -> Reply {
        switch format {
        case .anthropic: .error(format, status: status, message: "Internal server error", type: "api_error")
        case .openai: .error(format, status: status, message: "The server had an error while processing your request. Sorry about that!")
        case .gemini: .error(format, status: status, message: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting")
        case .ollama: .error(format, status: status, message: "llama runner process has terminated: exit status 2")
        case .llamaCpp: .error(format, status: status, message: "Internal server error", type: "server_error")
        }
    }

    private static func contextOverflowReply(
        _ format: ProviderFormat, requested: Int?, limit: Int?, deltas: [String], usage: TokenUsage, model: String
    ) -> Reply {
        switch format {
        case .anthropic:
            return .error(format, status: 400, message: "prompt is too long: \(requested ?? 208_310) tokens > \(limit ?? 200_000) maximum", type: "invalid_request_error")
        case .openai:
            return Reply.json(
                #"{"error":{"message":"This model's maximum context length is \#(limit ?? 128_000) tokens. However, your messages resulted in \#(requested ?? 130_043) tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#,
                status: 400, headers: requestIDHeaders(format))
        case .llamaCpp:
            let sent = requested ?? 13_392
            let window = limit ?? 8_192
            return Reply.json(
                #"{"error":{"code":400,"message":"request (\#(sent) tokens) exceeds the available context size (\#(window) tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":\#(sent),"n_ctx":\#(window)}}"#,
                status: 400)
        case .gemini:
            return .error(format, status: 400, message: "The input token count (\(requested ?? 1_200_293)) exceeds the maximum number of tokens allowed (\(limit ?? 1_048_576)).", type: "INVALID_ARGUMENT")
        case .ollama:
            let truncated = TokenUsage(input: limit ?? 2_048, output: usage.output)
            return stream(format, deltas: deltas, usage: truncated, model: model)
        }
    }

    private static func anthropicErrorType(_ status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 403: "permission_error"
        case 404: "not_found_error"
        case 413: "request_too_large"
        case 429: "rate_limit_error"
        case 529: "overloaded_error"
        default: "api_error"
        }
    }

    private static func llamaErrorType(_ status: Int) -> String {
        switch status {
        case 400: "invalid_request_error"
        case 401: "authentication_error"
        case 404: "not_found_error"
        case 503: "unavailable_error"
        default: "server_error"
        }
    }

    private static func geminiStatus(_ status: Int) -> String {
        switch status {
        case 400: "INVALID_ARGUMENT"
        case 401: "UNAUTHENTICATED"
        case 403: "PERMISSION_DENIED"
        case 404: "NOT_FOUND"
        case 429: "RESOURCE_EXHAUSTED"
        case 503: "UNAVAILABLE"
        case 504: "DEADLINE_EXCEEDED"
        default: "INTERNAL"
        }
    }
}
