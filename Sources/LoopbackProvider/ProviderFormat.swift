/// The wire formats the loopback server can speak.
public enum ProviderFormat: String, Sendable, CaseIterable {
    /// Anthropic Messages API: named SSE events, `event: error` mid-stream.
    case anthropic
    /// OpenAI Chat Completions: `data:` chunks, a usage chunk with empty `choices`, `data: [DONE]`.
    case openai
    /// Google Gemini `streamGenerateContent?alt=sse`: `data:` GenerateContentResponse chunks, no `[DONE]`.
    case gemini
    /// Ollama `/api/chat`: NDJSON lines, the last with `done: true` and the counts.
    case ollama
    /// llama.cpp `llama-server`: OpenAI's format plus `timings`, with its own error shapes.
    case llamaCpp = "llamacpp"

    /// The model name used when none is given.
    public static let defaultModel = "loopback-model"

    /// The chat endpoint's path (with query for Gemini streaming).
    public func chatPath(model: String = ProviderFormat.defaultModel, stream: Bool = true) -> String {
        switch self {
        case .anthropic: "/v1/messages"
        case .openai, .llamaCpp: "/v1/chat/completions"
        case .gemini:
            stream ? "/v1beta/models/\(model):streamGenerateContent?alt=sse" : "/v1beta/models/\(model):generateContent"
        case .ollama: "/api/chat"
        }
    }

    /// Whether `request` asks for a streamed answer: `"stream": true` for Anthropic, OpenAI and
    /// llama.cpp; the `streamGenerateContent` method for Gemini; anything but `"stream": false` for Ollama.
    public func wantsStream(_ request: RecordedRequest) -> Bool {
        switch self {
        case .gemini:
            return request.pathWithoutQuery.hasSuffix(":streamGenerateContent")
        case .ollama:
            return request.json()?["stream"]?.bool ?? true
        case .anthropic, .openai, .llamaCpp:
            return request.json()?["stream"]?.bool ?? false
        }
    }

    /// The `content-type` of a streamed answer.
    public var streamContentType: String {
        switch self {
        case .ollama: "application/x-ndjson"
        case .gemini: "text/event-stream"
        case .anthropic, .openai, .llamaCpp: "text/event-stream; charset=utf-8"
        }
    }

    /// A handler for benchmarks and smoke tests: `GET /health` is `200 {"status":"ok"}`, `GET /props`
    /// is llama.cpp-like (`n_ctx` 8192), any `POST` gets `streamed` or `nonStreamed` (see
    /// ``wantsStream(_:)``), anything else a 404 in this format.
    public func answerHandler(streamed: Reply, nonStreamed: Reply) -> LoopbackServer.Handler {
        { [self] request in
            switch (request.method, request.pathWithoutQuery) {
            case ("GET", "/health"):
                return .json(#"{"status":"ok"}"#)
            case ("GET", "/props"):
                return .json(#"{"default_generation_settings":{"n_ctx":8192},"total_slots":1}"#)
            case ("POST", _):
                return wantsStream(request) ? streamed : nonStreamed
            default:
                return .error(self, status: 404, message: "File Not Found", type: "not_found_error")
            }
        }
    }

    /// ``answerHandler(streamed:nonStreamed:)`` answering with `deltas` (streamed) or their
    /// concatenation (non-streamed).
    public func answerHandler(
        deltas: [String] = Reply.defaultDeltas, usage: TokenUsage? = nil, model: String = ProviderFormat.defaultModel
    ) -> LoopbackServer.Handler {
        answerHandler(
            streamed: .stream(self, deltas: deltas, usage: usage, model: model),
            nonStreamed: .answer(self, text: deltas.joined(), usage: usage ?? .standard(deltaCount: deltas.count), model: model))
    }
}
