#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// OpenAI Chat Completions, and every OpenAI-compatible server (llama.cpp, vLLM, LM Studio, OpenRouter).
public struct OpenAIFormat: WireFormat {
    public let provider: Provider
    /// The base URL including `/v1`, e.g. `https://api.openai.com/v1`.
    public let baseURL: String
    let apiKey: String?
    public var credential: String? { apiKey }

    /// - Parameters:
    ///   - provider: `.openai`, or `.local` for the embedded llama.cpp server.
    ///   - baseURL: the URL that `/chat/completions` is appended to.
    ///   - apiKey: sent as `Authorization: Bearer`; `nil` for servers that need none.
    public init(provider: Provider = .openai, baseURL: String, apiKey: String?) {
        self.provider = provider
        self.baseURL = baseURL
        self.apiKey = apiKey
    }

    public var framing: StreamFraming { .serverSentEvents }

    /// OpenAI's own API wants `max_completion_tokens`; compatible servers know only `max_tokens`.
    var usesMaxCompletionTokens: Bool { baseURL.contains("api.openai.com") }

    struct Body: Encodable {
        struct Message: Encodable {
            let role: String
            let content: String
        }
        struct StreamOptions: Encodable {
            let include_usage: Bool
        }
        let model: String
        let messages: [Message]
        let stream: Bool
        let stream_options: StreamOptions?
        let max_tokens: Int?
        let max_completion_tokens: Int?
        let temperature: Double?
        /// OpenAI: one key per session, so its requests reach the machine that holds their prefix.
        let prompt_cache_key: String?
        /// llama.cpp: evaluate only the part after the prefix the slot already holds.
        let cache_prompt: Bool?
        /// llama.cpp: say how far it is in reading a long prompt (minutes on a CPU for a large model)
        /// instead of sending nothing until the first token.
        let return_progress: Bool?
    }

    private var headers: [(name: String, value: String)] {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append((name: "Authorization", value: "Bearer \(apiKey)")) }
        return headers
    }

    public func chatRequest(for request: ChatRequest, streaming: Bool) throws -> HTTPRequest {
        var messages: [Body.Message] = []
        if case let system = request.wholeSystem, !system.isEmpty { messages.append(.init(role: "system", content: system)) }
        messages += request.messages.map { .init(role: $0.role.rawValue, content: $0.content) }
        let body = Body(
            model: request.model,
            messages: messages,
            stream: streaming,
            stream_options: streaming ? .init(include_usage: true) : nil,
            max_tokens: usesMaxCompletionTokens ? nil : request.maxTokens,
            max_completion_tokens: usesMaxCompletionTokens ? request.maxTokens : nil,
            temperature: request.temperature,
            prompt_cache_key: request.caching.isEnabled && provider == .openai ? request.caching.sessionKey : nil,
            cache_prompt: request.caching.isEnabled && provider == .local ? true : nil,
            return_progress: streaming && provider == .local ? true : nil
        )
        return HTTPRequest(url: WireJSON.join(baseURL, "chat/completions"), headers: headers, body: try WireJSON.encode(body))
    }

    // MARK: - Answers

    struct Usage: Decodable {
        struct PromptDetails: Decodable { let cached_tokens: Int? }
        let prompt_tokens: Int?
        let completion_tokens: Int?
        let prompt_tokens_details: PromptDetails?
        /// `cached_tokens` (OpenAI, and llama.cpp's `n_prompt_tokens_cache`); `prompt_tokens` includes them.
        var tokenUsage: TokenUsage {
            TokenUsage(inputTokens: prompt_tokens, outputTokens: completion_tokens,
                       cacheReadTokens: prompt_tokens_details?.cached_tokens)
        }
    }

    /// llama.cpp's own report, sent next to (or instead of) `usage`: `cache_n` tokens reused from
    /// the slot, `prompt_n` evaluated afresh.
    struct Timings: Decodable {
        let cache_n: Int?
        let prompt_n: Int?

        /// What the timings say; the prompt is both parts together.
        var tokenUsage: TokenUsage? {
            guard let prompt_n else { return nil }
            return TokenUsage(inputTokens: prompt_n + (cache_n ?? 0), cacheReadTokens: cache_n ?? 0)
        }
    }

    struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let message: String?
            let type: String?
            let code: LooseScalar?
        }
        let error: Detail?
    }

    struct Chunk: Decodable {
        struct Choice: Decodable {
            struct Delta: Decodable {
                let content: String?
                let refusal: String?
            }
            let delta: Delta?
            let finish_reason: String?
        }
        struct PromptProgress: Decodable {
            let total: Int
            let cache: Int?
            let processed: Int
        }
        let choices: [Choice]?
        let usage: Usage?
        let timings: Timings?
        let error: ErrorBody.Detail?
        let prompt_progress: PromptProgress?
    }

    struct Completion: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                let content: String?
                let refusal: String?
            }
            let message: Message
            let finish_reason: String?
        }
        let choices: [Choice]
        let usage: Usage?
        let timings: Timings?
    }

    /// The usage of a chunk or answer: `usage` where sent, its cache count completed from llama.cpp's
    /// `timings` when `usage` has none.
    static func tokenUsage(_ usage: Usage?, _ timings: Timings?) -> TokenUsage? {
        switch (usage?.tokenUsage, timings?.tokenUsage) {
        case (nil, nil): return nil
        case (let reported?, nil): return reported
        case (nil, let measured?): return measured
        case (var reported?, let measured?):
            if reported.cacheReadTokens == nil { reported.cacheReadTokens = measured.cacheReadTokens }
            if reported.inputTokens == nil { reported.inputTokens = measured.inputTokens }
            return reported
        }
    }

    static func stopReason(_ raw: String) -> StopReason {
        switch raw {
        case "stop": return StopReason(kind: .endTurn, raw: raw)
        case "length": return StopReason(kind: .maxTokens, raw: raw)
        case "content_filter": return StopReason(kind: .blocked, raw: raw)
        default: return StopReason(kind: .other, raw: raw)
        }
    }

    public struct Decoder: StreamDecoder {
        let provider: Provider
        var sawDone = false
        var sawFinish = false

        public mutating func decode(_ event: ServerSentEvent, into events: inout [StreamEvent]) throws {
            if event.data == "[DONE]" {
                sawDone = true
                return
            }
            var data = event.data
            if let fast = data.withUTF8({ OpenAIFormat.skimDelta($0) }) {
                if let text = fast.text, !text.isEmpty { events.append(.text(text)) }
                if let reason = fast.finishReason {
                    sawFinish = true
                    events.append(.finished(OpenAIFormat.stopReason(reason)))
                }
                return
            }
            let chunk = try WireJSON.decode(Chunk.self, from: event.data.utf8, provider: provider)
            if let error = chunk.error {
                throw LLMClientError.provider(ProviderFailure(
                    provider: provider, status: nil, type: error.code?.text ?? error.type,
                    message: error.message ?? "error in stream"
                ))
            }
            if let progress = chunk.prompt_progress {
                events.append(.promptProgress(processed: progress.processed, total: progress.total, cached: progress.cache ?? 0))
            }
            for choice in chunk.choices ?? [] {
                if let text = choice.delta?.content, !text.isEmpty { events.append(.text(text)) }
                if let refusal = choice.delta?.refusal, !refusal.isEmpty { events.append(.text(refusal)) }
                if let reason = choice.finish_reason {
                    sawFinish = true
                    events.append(.finished(OpenAIFormat.stopReason(reason)))
                }
            }
            if let usage = OpenAIFormat.tokenUsage(chunk.usage, chunk.timings) { events.append(.usage(usage)) }
        }

        public mutating func finish(into events: inout [StreamEvent]) throws {
            guard sawDone || sawFinish else {
                throw LLMClientError.malformedStream(provider: provider, detail: "the answer ended before the server said it was complete")
            }
        }
    }

    public func makeStreamDecoder() -> Decoder { Decoder(provider: provider) }

    /// The hot shape of a stream chunk, read without `JSONDecoder`: one choice whose delta holds
    /// text (and a role), no usage, no error. `nil` for anything else, which then takes the full
    /// decoder, so unusual chunks are never misread.
    static func skimDelta(_ bytes: UnsafeBufferPointer<UInt8>) -> (text: String?, finishReason: String?)? {
        var skimmer = JSONSkimmer(bytes)
        var text: String?
        var finishReason: String?
        var sawChoices = false
        let parsed = skimmer.forEachMember { skimmer, key in
            if JSONSkimmer.key(key, is: "choices") {
                sawChoices = true
                return skimmer.forEachElement { skimmer, position in
                    guard position == 0 else { return false }
                    return skimmer.forEachMember { skimmer, key in
                        if JSONSkimmer.key(key, is: "delta") {
                            return skimmer.forEachMember { skimmer, key in
                                if JSONSkimmer.key(key, is: "content") {
                                    if skimmer.consumeNull() { return true }
                                    text = skimmer.string()
                                    return text != nil
                                }
                                if JSONSkimmer.key(key, is: "role") { return skimmer.skipValue() }
                                if JSONSkimmer.key(key, is: "refusal") { return skimmer.consumeNull() }
                                return false  // tool calls and the like: the full decoder
                            } != nil
                        }
                        if JSONSkimmer.key(key, is: "finish_reason") {
                            if skimmer.consumeNull() { return true }
                            finishReason = skimmer.string()
                            return finishReason != nil
                        }
                        return skimmer.skipValue()
                    } != nil
                } != nil
            }
            if JSONSkimmer.key(key, is: "usage") || JSONSkimmer.key(key, is: "error") { return skimmer.consumeNull() }
            if JSONSkimmer.key(key, is: "timings") { return false }  // llama.cpp's cache counts: the full decoder
            if JSONSkimmer.key(key, is: "prompt_progress") { return false }  // and its progress
            return skimmer.skipValue()
        }
        guard parsed != nil, sawChoices else { return nil }
        skimmer.skipWhitespace()
        guard skimmer.current == nil else { return nil }
        return (text, finishReason)
    }

    public func decodeResponse(_ body: [UInt8]) throws -> ChatResponse {
        let completion = try WireJSON.decode(Completion.self, from: body, provider: provider)
        let choice = completion.choices.first
        return ChatResponse(
            text: choice?.message.content ?? choice?.message.refusal ?? "",
            usage: Self.tokenUsage(completion.usage, completion.timings) ?? TokenUsage(),
            stopReason: choice?.finish_reason.map(Self.stopReason)
        )
    }

    public func decodeError(status: Int, body: [UInt8], model: String) -> ProviderFailure {
        let keyVariable = provider == .openai ? "OPENAI_API_KEY" : nil
        if let decoded = try? JSONDecoder().decode(ErrorBody.self, from: Data(body)), let error = decoded.error {
            let code = error.code?.text
            return ProviderFailure(
                provider: provider, status: status,
                // OpenAI's `code` is a word (context_length_exceeded); llama.cpp's is the status number.
                type: code.flatMap { !$0.isEmpty && Int($0) == nil ? $0 : nil } ?? error.type,
                message: error.message ?? WireJSON.plainText(body), keyVariable: keyVariable, model: model
            )
        }
        return ProviderFailure(provider: provider, status: status, type: nil, message: WireJSON.plainText(body),
                               keyVariable: keyVariable, model: model)
    }

    // MARK: - Counting and context size (llama.cpp only: OpenAI has neither)

    /// The server root without `/v1`, where llama.cpp serves `/props` and `/tokenize`.
    var serverRoot: String {
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/v1") { root.removeLast(3) }
        return root
    }

    public func countTokensRequest(for request: ChatRequest) throws -> HTTPRequest? {
        guard provider == .local else { return nil }
        // llama.cpp counts a chat exactly (template included) through its Anthropic face.
        return try AnthropicFormat(baseURL: serverRoot, apiKey: apiKey).countTokensRequest(for: request)
    }

    public func decodeTokenCount(_ body: [UInt8]) throws -> Int {
        try AnthropicFormat(baseURL: serverRoot, apiKey: apiKey).decodeTokenCount(body)
    }

    public func contextWindowRequest(model: String) -> HTTPRequest? {
        guard provider == .local || !usesMaxCompletionTokens else { return nil }
        return HTTPRequest(method: .get, url: WireJSON.join(serverRoot, "props"), headers: headers)
    }

    struct Props: Decodable {
        struct Settings: Decodable { let n_ctx: Int? }
        let default_generation_settings: Settings?
    }

    public func decodeContextWindow(_ body: [UInt8]) throws -> Int? {
        (try? JSONDecoder().decode(Props.self, from: Data(body)))?.default_generation_settings?.n_ctx
    }
}
