#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Anthropic Messages, and every Anthropic-compatible server (llama.cpp's `/v1/messages` included).
public struct AnthropicFormat: WireFormat {
    public let provider: Provider
    /// The base URL without `/v1`, e.g. `https://api.anthropic.com` (as `ANTHROPIC_BASE_URL`).
    public let baseURL: String
    let apiKey: String?
    public var credential: String? { apiKey }

    public init(provider: Provider = .anthropic, baseURL: String, apiKey: String?) {
        self.provider = provider
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    public var framing: StreamFraming { .serverSentEvents }

    /// `{"type":"ephemeral"}`, with `"ttl":"1h"` for the long lifetime.
    struct CacheControl: Encodable, Equatable {
        let type: String
        let ttl: String?
    }

    /// A text content block; members are written in declaration order, so the text of a block
    /// comes before its (moving) breakpoint and a request's bytes extend the previous one's.
    struct TextBlock: Encodable, Equatable {
        let type: String
        let text: String
        let cache_control: CacheControl?
    }

    struct WireMessage: Encodable, Equatable {
        let role: String
        let content: [TextBlock]
    }

    struct Body: Encodable {
        let model: String
        let max_tokens: Int?
        let system: [TextBlock]?
        let messages: [WireMessage]
        let stream: Bool?
        let temperature: Double?
    }

    /// The system blocks and messages of a request, with `cache_control` breakpoints: one on the
    /// role's system prompt (stable for the whole session, so a truncation event, which rewrites
    /// the case facts and the summary, still reads it), and one moving with the newest message, so
    /// that the next turn reads everything before its new question. The system context (facts and
    /// summary) is a second system block without a breakpoint of its own: the moving one covers it.
    /// Never more than ``PromptCaching/maximumBreakpoints``.
    static func blocks(for request: ChatRequest) -> (system: [TextBlock]?, messages: [WireMessage]) {
        let marker = request.caching.isEnabled
            ? CacheControl(type: "ephemeral", ttl: request.caching.ttl == .oneHour ? "1h" : nil) : nil
        var systemBlocks: [TextBlock] = []
        if !request.system.isEmpty {
            systemBlocks.append(TextBlock(type: "text", text: request.system, cache_control: marker))
        }
        if !request.systemContext.isEmpty {
            systemBlocks.append(TextBlock(type: "text", text: request.systemContext, cache_control: nil))
        }
        let system = systemBlocks.isEmpty ? nil : systemBlocks
        let lastIndex = request.messages.count - 1
        let messages = request.messages.enumerated().map { index, message in
            WireMessage(role: message.role.rawValue, content: [
                TextBlock(type: "text", text: message.content, cache_control: index == lastIndex ? marker : nil),
            ])
        }
        return (system, messages)
    }

    /// How many `cache_control` breakpoints a body carries.
    static func breakpointCount(system: [TextBlock]?, messages: [WireMessage]) -> Int {
        let blocks = (system ?? []) + messages.flatMap(\.content)
        return blocks.filter { $0.cache_control != nil }.count
    }

    private var headers: [(name: String, value: String)] {
        var headers = [(name: "Content-Type", value: "application/json"), (name: "anthropic-version", value: "2023-06-01")]
        if let apiKey, !apiKey.isEmpty { headers.append((name: "x-api-key", value: apiKey)) }
        return headers
    }

    public func chatRequest(for request: ChatRequest, streaming: Bool) throws -> HTTPRequest {
        let (system, messages) = Self.blocks(for: request)
        let body = Body(
            model: request.model, max_tokens: request.maxTokens, system: system,
            messages: messages, stream: streaming ? true : nil, temperature: request.temperature
        )
        return HTTPRequest(url: WireJSON.join(baseURL, "v1/messages"), headers: headers, body: try WireJSON.encode(body))
    }

    // MARK: - Answers

    struct Usage: Decodable {
        let input_tokens: Int?
        let output_tokens: Int?
        let cache_creation_input_tokens: Int?
        let cache_read_input_tokens: Int?

        /// The full input is the uncached part plus both cache counts, which are kept apart too.
        var tokenUsage: TokenUsage {
            let input = input_tokens.map { $0 + (cache_creation_input_tokens ?? 0) + (cache_read_input_tokens ?? 0) }
            return TokenUsage(
                inputTokens: input, outputTokens: output_tokens, cacheReadTokens: cache_read_input_tokens,
                cacheWriteTokens: cache_creation_input_tokens)
        }
    }

    struct ErrorDetail: Decodable {
        let type: String?
        let message: String?
    }

    struct ErrorBody: Decodable {
        let error: ErrorDetail?
    }

    struct Event: Decodable {
        struct Message: Decodable { let usage: Usage? }
        struct Delta: Decodable {
            let type: String?
            let text: String?
            let stop_reason: String?
        }
        let type: String
        let message: Message?
        let delta: Delta?
        let usage: Usage?
        let error: ErrorDetail?
    }

    struct Message: Decodable {
        struct Block: Decodable {
            let type: String
            let text: String?
        }
        let content: [Block]
        let stop_reason: String?
        let usage: Usage?
    }

    static func stopReason(_ raw: String) -> StopReason {
        switch raw {
        case "end_turn", "stop_sequence": return StopReason(kind: .endTurn, raw: raw)
        case "max_tokens": return StopReason(kind: .maxTokens, raw: raw)
        case "refusal": return StopReason(kind: .blocked, raw: raw)
        case "model_context_window_exceeded": return StopReason(kind: .contextWindow, raw: raw)
        default: return StopReason(kind: .other, raw: raw)
        }
    }

    public struct Decoder: StreamDecoder {
        let provider: Provider
        var usage = TokenUsage()
        var stopReason: StopReason?
        var sawStop = false

        public mutating func decode(_ event: ServerSentEvent, into events: inout [StreamEvent]) throws {
            if event.event == "content_block_delta" {
                var data = event.data
                if let text = data.withUTF8({ AnthropicFormat.skimTextDelta($0) }) {
                    if !text.isEmpty { events.append(.text(text)) }
                    return
                }
            }
            let decoded = try WireJSON.decode(Event.self, from: event.data.utf8, provider: provider)
            switch decoded.type {
            case "message_start":
                if let start = decoded.message?.usage { usage = usage.merging(start.tokenUsage) }
            case "content_block_delta":
                if decoded.delta?.type == "text_delta", let text = decoded.delta?.text, !text.isEmpty {
                    events.append(.text(text))
                }
            case "message_delta":
                // Usage here is cumulative: keep the latest, never add.
                if let delta = decoded.usage { usage = usage.merging(delta.tokenUsage) }
                if let reason = decoded.delta?.stop_reason { stopReason = AnthropicFormat.stopReason(reason) }
            case "message_stop":
                sawStop = true
                events.append(.usage(usage))
                events.append(.finished(stopReason ?? StopReason(kind: .endTurn, raw: "end_turn")))
            case "error":
                throw LLMClientError.provider(ProviderFailure(
                    provider: provider, status: nil, type: decoded.error?.type,
                    message: decoded.error?.message ?? "error in stream"
                ))
            default:
                break  // ping, content_block_start/stop, and event types added later
            }
        }

        public mutating func finish(into events: inout [StreamEvent]) throws {
            guard sawStop else {
                throw LLMClientError.malformedStream(provider: provider, detail: "the answer ended before message_stop")
            }
        }
    }

    public func makeStreamDecoder() -> Decoder { Decoder(provider: provider) }

    /// The hot event, `content_block_delta` with a `text_delta`, read without `JSONDecoder`;
    /// `nil` for anything else, which then takes the full decoder.
    static func skimTextDelta(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        var skimmer = JSONSkimmer(bytes)
        var text: String?
        var isTextDelta = false
        var isBlockDelta = false
        let parsed = skimmer.forEachMember { skimmer, key in
            if JSONSkimmer.key(key, is: "type") {
                isBlockDelta = skimmer.string() == "content_block_delta"
                return isBlockDelta
            }
            if JSONSkimmer.key(key, is: "delta") {
                return skimmer.forEachMember { skimmer, key in
                    if JSONSkimmer.key(key, is: "type") {
                        isTextDelta = skimmer.string() == "text_delta"
                        return isTextDelta
                    }
                    if JSONSkimmer.key(key, is: "text") {
                        text = skimmer.string()
                        return text != nil
                    }
                    return false
                } != nil
            }
            return skimmer.skipValue()
        }
        skimmer.skipWhitespace()
        guard parsed != nil, isBlockDelta, isTextDelta, skimmer.current == nil else { return nil }
        return text
    }

    public func decodeResponse(_ body: [UInt8]) throws -> ChatResponse {
        let message = try WireJSON.decode(Message.self, from: body, provider: provider)
        return ChatResponse(
            text: message.content.compactMap { $0.type == "text" ? $0.text : nil }.joined(),
            usage: message.usage?.tokenUsage ?? TokenUsage(),
            stopReason: message.stop_reason.map(Self.stopReason)
        )
    }

    public func decodeError(status: Int, body: [UInt8], model: String) -> ProviderFailure {
        let keyVariable = provider == .anthropic ? "ANTHROPIC_API_KEY" : nil
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)), let error = decoded.error {
            return ProviderFailure(provider: provider, status: status, type: error.type,
                                   message: error.message ?? WireJSON.plainText(body), keyVariable: keyVariable, model: model)
        }
        // llama.cpp's Anthropic face answers errors in OpenAI's shape.
        let openAIShaped = OpenAIFormat(provider: provider, baseURL: baseURL, apiKey: nil).decodeError(status: status, body: body, model: model)
        return ProviderFailure(provider: provider, status: status, type: openAIShaped.type, message: openAIShaped.message,
                               keyVariable: keyVariable, model: model)
    }

    // MARK: - Counting and context size

    struct CountBody: Encodable {
        let model: String
        let system: String?
        let messages: [ChatRequest.Message]
    }

    struct Count: Decodable { let input_tokens: Int }

    public func countTokensRequest(for request: ChatRequest) throws -> HTTPRequest? {
        let body = CountBody(model: request.model, system: request.wholeSystem.isEmpty ? nil : request.wholeSystem, messages: request.messages)
        return HTTPRequest(url: WireJSON.join(baseURL, "v1/messages/count_tokens"), headers: headers, body: try WireJSON.encode(body))
    }

    public func decodeTokenCount(_ body: [UInt8]) throws -> Int {
        try WireJSON.decode(Count.self, from: body, provider: provider).input_tokens
    }

    public func contextWindowRequest(model: String) -> HTTPRequest? {
        HTTPRequest(method: .get, url: WireJSON.join(baseURL, "v1/models/\(model)"), headers: headers)
    }

    struct ModelInfo: Decodable { let max_input_tokens: Int? }

    public func decodeContextWindow(_ body: [UInt8]) throws -> Int? {
        (try? JSONDecoder().decode(ModelInfo.self, from: Data(body)))?.max_input_tokens
    }
}
