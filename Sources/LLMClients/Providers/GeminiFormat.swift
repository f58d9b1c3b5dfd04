#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Google Gemini `generateContent` / `streamGenerateContent?alt=sse`.
public struct GeminiFormat: WireFormat {
    public let baseURL: String
    let apiKey: String?
    public var credential: String? { apiKey }
    /// `GEMINI_API_KEY` or `GOOGLE_API_KEY`, whichever the key came from.
    let keyVariable: String

    /// - Parameter baseURL: e.g. `https://generativelanguage.googleapis.com` (the API version is added).
    public init(baseURL: String, apiKey: String?, keyVariable: String = "GEMINI_API_KEY") {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.keyVariable = keyVariable
    }

    public var provider: Provider { .gemini }
    public var framing: StreamFraming { .serverSentEvents }

    struct Part: Codable {
        let text: String?
        let thought: Bool?
        init(text: String) {
            self.text = text
            thought = nil
        }
    }

    struct Content: Codable {
        let role: String?
        let parts: [Part]?
    }

    struct GenerationConfig: Encodable {
        let maxOutputTokens: Int
        let temperature: Double?
    }

    struct Body: Encodable {
        let systemInstruction: Content?
        let contents: [Content]
        let generationConfig: GenerationConfig?
    }

    private var headers: [(name: String, value: String)] {
        var headers = [(name: "Content-Type", value: "application/json")]
        if let apiKey, !apiKey.isEmpty { headers.append((name: "x-goog-api-key", value: apiKey)) }
        return headers
    }

    private func url(model: String, method: String) -> String {
        WireJSON.join(baseURL, "v1beta/models/\(model):\(method)")
    }

    func body(for request: ChatRequest, withConfig: Bool) -> Body {
        Body(
            systemInstruction: request.wholeSystem.isEmpty ? nil : Content(role: nil, parts: [Part(text: request.wholeSystem)]),
            contents: request.messages.map {
                Content(role: $0.role == .user ? "user" : "model", parts: [Part(text: $0.content)])
            },
            generationConfig: withConfig ? GenerationConfig(maxOutputTokens: request.maxTokens, temperature: request.temperature) : nil
        )
    }

    public func chatRequest(for request: ChatRequest, streaming: Bool) throws -> HTTPRequest {
        HTTPRequest(
            url: streaming ? url(model: request.model, method: "streamGenerateContent") + "?alt=sse"
                : url(model: request.model, method: "generateContent"),
            headers: headers, body: try WireJSON.encode(body(for: request, withConfig: true))
        )
    }

    // MARK: - Answers

    struct ErrorDetail: Decodable {
        let code: Int?
        let message: String?
        let status: String?
    }

    struct Response: Decodable {
        struct Candidate: Decodable {
            let content: Content?
            let finishReason: String?
        }
        struct Feedback: Decodable { let blockReason: String? }
        struct UsageMetadata: Decodable {
            let promptTokenCount: Int?
            let candidatesTokenCount: Int?
            let thoughtsTokenCount: Int?
            /// The implicit (or explicit) cache hit; part of `promptTokenCount`.
            let cachedContentTokenCount: Int?
        }
        let candidates: [Candidate]?
        let promptFeedback: Feedback?
        let usageMetadata: UsageMetadata?
        let error: ErrorDetail?

        var text: String {
            (candidates?.first?.content?.parts ?? []).filter { $0.thought != true }.compactMap(\.text).joined()
        }

        var usage: TokenUsage? {
            guard let meta = usageMetadata else { return nil }
            let output = meta.candidatesTokenCount.map { $0 + (meta.thoughtsTokenCount ?? 0) }
            return TokenUsage(
                inputTokens: meta.promptTokenCount, outputTokens: output, cacheReadTokens: meta.cachedContentTokenCount)
        }

        var stopReason: StopReason? {
            if let block = promptFeedback?.blockReason { return StopReason(kind: .blocked, raw: "prompt blocked: \(block)") }
            guard let reason = candidates?.first?.finishReason else { return nil }
            return GeminiFormat.stopReason(reason)
        }
    }

    static func stopReason(_ raw: String) -> StopReason {
        switch raw {
        case "STOP": return StopReason(kind: .endTurn, raw: raw)
        case "MAX_TOKENS": return StopReason(kind: .maxTokens, raw: raw)
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "LANGUAGE", "IMAGE_SAFETY":
            return StopReason(kind: .blocked, raw: raw)
        default: return StopReason(kind: .other, raw: raw)
        }
    }

    public struct Decoder: StreamDecoder {
        var finished = false

        public mutating func decode(_ event: ServerSentEvent, into events: inout [StreamEvent]) throws {
            let response = try WireJSON.decode(Response.self, from: event.data.utf8, provider: .gemini)
            if let error = response.error {
                throw LLMClientError.provider(ProviderFailure(
                    provider: .gemini, status: nil, type: error.status, message: error.message ?? "error in stream"
                ))
            }
            let text = response.text
            if !text.isEmpty { events.append(.text(text)) }
            if let usage = response.usage { events.append(.usage(usage)) }
            if let reason = response.stopReason {
                finished = true
                events.append(.finished(reason))
            }
        }

        public mutating func finish(into events: inout [StreamEvent]) throws {
            guard finished else {
                throw LLMClientError.malformedStream(provider: .gemini, detail: "the answer ended without a finishReason")
            }
        }
    }

    public func makeStreamDecoder() -> Decoder { Decoder() }

    public func decodeResponse(_ body: [UInt8]) throws -> ChatResponse {
        let response = try WireJSON.decode(Response.self, from: body, provider: .gemini)
        return ChatResponse(text: response.text, usage: response.usage ?? TokenUsage(), stopReason: response.stopReason)
    }

    struct ErrorBody: Decodable { let error: ErrorDetail? }

    public func decodeError(status: Int, body: [UInt8], model: String) -> ProviderFailure {
        let detail = (try? JSONDecoder().decode(ErrorBody.self, from: Data(body)))?.error
        var failure = ProviderFailure(
            provider: .gemini, status: status, type: detail?.status,
            message: detail?.message ?? WireJSON.plainText(body), keyVariable: keyVariable, model: model
        )
        // Gemini answers a bad key with 400 INVALID_ARGUMENT "API key not valid": name the variable too.
        if status == 400, failure.message.contains("API key") { failure.message += "; check \(keyVariable)" }
        return failure
    }

    // MARK: - Counting and context size

    struct CountBody: Encodable {
        struct Inner: Encodable {
            let model: String
            let contents: [Content]
            let systemInstruction: Content?
        }
        let generateContentRequest: Inner
    }

    struct Count: Decodable { let totalTokens: Int }

    public func countTokensRequest(for request: ChatRequest) throws -> HTTPRequest? {
        let full = body(for: request, withConfig: false)
        let count = CountBody(generateContentRequest: .init(
            model: "models/\(request.model)", contents: full.contents, systemInstruction: full.systemInstruction
        ))
        return HTTPRequest(url: url(model: request.model, method: "countTokens"), headers: headers, body: try WireJSON.encode(count))
    }

    public func decodeTokenCount(_ body: [UInt8]) throws -> Int {
        try WireJSON.decode(Count.self, from: body, provider: .gemini).totalTokens
    }

    public func contextWindowRequest(model: String) -> HTTPRequest? {
        HTTPRequest(method: .get, url: WireJSON.join(baseURL, "v1beta/models/\(model)"), headers: headers)
    }

    struct ModelInfo: Decodable { let inputTokenLimit: Int? }

    public func decodeContextWindow(_ body: [UInt8]) throws -> Int? {
        (try? JSONDecoder().decode(ModelInfo.self, from: Data(body)))?.inputTokenLimit
    }
}
