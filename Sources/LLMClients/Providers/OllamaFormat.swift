#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Ollama `/api/chat`: NDJSON streaming, `options.num_ctx` from the budget.
public struct OllamaFormat: WireFormat {
    /// e.g. `http://127.0.0.1:11434` (from `OLLAMA_HOST`).
    public let baseURL: String
    /// For ollama.com's cloud (`OLLAMA_API_KEY`); local servers need none.
    let apiKey: String?
    public var credential: String? { apiKey }

    public init(baseURL: String, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    public var provider: Provider { .ollama }
    public var framing: StreamFraming { .newlineDelimitedJSON }

    struct Message: Codable {
        let role: String
        let content: String
    }

    struct Options: Encodable {
        let num_ctx: Int?
        let num_predict: Int
        let temperature: Double?
    }

    struct Body: Encodable {
        let model: String
        let messages: [Message]
        let stream: Bool
        /// How long the model (and the KV cache of the conversation's prefix) stays loaded.
        let keep_alive: String?
        let options: Options
    }

    /// The `num_ctx` sent when the caller gave no context window: Ollama allocates the whole
    /// window per request, so a model's published maximum (often 128k) would be far too much.
    public static let defaultContextWindow = 8_192

    private var headers: [(name: String, value: String)] {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append((name: "Authorization", value: "Bearer \(apiKey)")) }
        return headers
    }

    public func chatRequest(for request: ChatRequest, streaming: Bool) throws -> HTTPRequest {
        var messages: [Message] = []
        if case let system = request.wholeSystem, !system.isEmpty { messages.append(Message(role: "system", content: system)) }
        messages += request.messages.map { Message(role: $0.role.rawValue, content: $0.content) }
        let body = Body(
            model: request.model, messages: messages, stream: streaming,
            keep_alive: request.caching.isEnabled ? request.caching.keepAlive : nil,
            options: Options(num_ctx: request.contextWindow, num_predict: request.maxTokens, temperature: request.temperature)
        )
        return HTTPRequest(url: WireJSON.join(baseURL, "api/chat"), headers: headers, body: try WireJSON.encode(body))
    }

    // MARK: - Answers

    struct Line: Decodable {
        let message: Message?
        let done: Bool?
        let done_reason: String?
        let prompt_eval_count: Int?
        /// Newer servers (PR 17943): the part of `prompt_eval_count` reused from the KV cache.
        let prompt_eval_cached_count: Int?
        let eval_count: Int?
        let error: String?

        /// The usage of a final line. Counts are omitted when zero; `prompt_eval_count` is the whole
        /// prompt, cached part included (the cache count is only known where the server sends it).
        var tokenUsage: TokenUsage {
            TokenUsage(inputTokens: prompt_eval_count ?? 0, outputTokens: eval_count ?? 0,
                       cacheReadTokens: prompt_eval_cached_count)
        }
    }

    static func stopReason(_ raw: String?) -> StopReason {
        switch raw {
        case "stop", nil: return StopReason(kind: .endTurn, raw: raw ?? "stop")
        case "length": return StopReason(kind: .maxTokens, raw: "length")
        case let other?: return StopReason(kind: .other, raw: other)
        }
    }

    public struct Decoder: StreamDecoder {
        var done = false

        public mutating func decode(_ event: ServerSentEvent, into events: inout [StreamEvent]) throws {
            try decode(line: ArraySlice(Array(event.data.utf8)), into: &events)
        }

        public mutating func decode(line: ArraySlice<UInt8>, into events: inout [StreamEvent]) throws {
            let decoded = try WireJSON.decode(Line.self, from: line, provider: .ollama)
            if let error = decoded.error {
                throw LLMClientError.provider(ProviderFailure(provider: .ollama, status: nil, type: nil, message: error))
            }
            if let text = decoded.message?.content, !text.isEmpty { events.append(.text(text)) }
            if decoded.done == true {
                done = true
                // Counts are omitted when zero.
                events.append(.usage(decoded.tokenUsage))
                events.append(.finished(OllamaFormat.stopReason(decoded.done_reason)))
            }
        }

        public mutating func finish(into events: inout [StreamEvent]) throws {
            guard done else {
                throw LLMClientError.malformedStream(provider: .ollama, detail: "the answer ended before done:true")
            }
        }
    }

    public func makeStreamDecoder() -> Decoder { Decoder() }

    public func decodeResponse(_ body: [UInt8]) throws -> ChatResponse {
        let line = try WireJSON.decode(Line.self, from: body, provider: .ollama)
        return ChatResponse(
            text: line.message?.content ?? "",
            usage: line.tokenUsage,
            stopReason: Self.stopReason(line.done_reason)
        )
    }

    struct ErrorBody: Decodable { let error: String? }

    public func decodeError(status: Int, body: [UInt8], model: String) -> ProviderFailure {
        let message = (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.error ?? WireJSON.plainText(body)
        return ProviderFailure(provider: .ollama, status: status, type: nil, message: message,
                               keyVariable: "OLLAMA_API_KEY", model: model)
    }

    public var connectionHint: String? { "is Ollama running? start it with `ollama serve` (or set OLLAMA_HOST)" }

    // MARK: - Context size

    public func contextWindowRequest(model: String) -> HTTPRequest? {
        let body = (try? WireJSON.encode(["model": model])) ?? []
        return HTTPRequest(url: WireJSON.join(baseURL, "api/show"), headers: headers, body: body)
    }

    public func decodeContextWindow(_ body: [UInt8]) throws -> Int? {
        try? JSONDecoder().decode(ModelInfo.self, from: Data(body)).contextLength
    }
}

extension OllamaFormat {
    /// `/api/show`'s `model_info["<arch>.context_length"]`, found without knowing the architecture.
    struct ModelInfo: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        let contextLength: Int?

        init(from decoder: any Swift.Decoder) throws {
            let root = try decoder.container(keyedBy: AnyKey.self)
            let infoKey = AnyKey(stringValue: "model_info")
            guard root.contains(infoKey) else {
                contextLength = nil
                return
            }
            let info = try root.nestedContainer(keyedBy: AnyKey.self, forKey: infoKey)
            contextLength = info.allKeys.first { $0.stringValue.hasSuffix(".context_length") }
                .flatMap { try? info.decode(Int.self, forKey: $0) }
        }
    }
}
