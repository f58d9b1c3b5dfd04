#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How a provider frames its stream on the wire.
public enum StreamFraming: Sendable {
    /// `text/event-stream` (Anthropic, OpenAI, Gemini).
    case serverSentEvents
    /// One JSON object per line (Ollama).
    case newlineDelimitedJSON
}

/// One provider's API: how a ``ChatRequest`` becomes HTTP and how answers and errors come back.
///
/// A wire format knows nothing of sockets or retries; ``HTTPChatClient`` runs it over the shared
/// transport. That keeps one SSE parser, one retry policy and one error mapper for all providers.
public protocol WireFormat: Sendable {
    associatedtype Decoder: StreamDecoder

    var provider: Provider { get }
    /// The base URL, for the banner.
    var baseURL: String { get }
    var framing: StreamFraming { get }

    /// The HTTP request for one chat call.
    func chatRequest(for request: ChatRequest, streaming: Bool) throws -> HTTPRequest
    /// A fresh decoder for one streamed answer.
    func makeStreamDecoder() -> Decoder
    /// Decodes a non-streamed answer.
    func decodeResponse(_ body: [UInt8]) throws -> ChatResponse
    /// The provider's error body, decoded (retry headers are read by the client, not here).
    func decodeError(status: Int, body: [UInt8], model: String) -> ProviderFailure

    /// A hint added to "connection refused", e.g. how to start a local server.
    var connectionHint: String? { get }
    /// The key this format sends, so that no error message can ever repeat it.
    var credential: String? { get }

    /// The request that counts input tokens exactly, or `nil` where the provider has no such endpoint.
    func countTokensRequest(for request: ChatRequest) throws -> HTTPRequest?
    /// Reads the count from that endpoint's answer.
    func decodeTokenCount(_ body: [UInt8]) throws -> Int
    /// The request that asks for the model's context window, or `nil` where the provider cannot say.
    func contextWindowRequest(model: String) -> HTTPRequest?
    /// Reads the context window from that endpoint's answer.
    func decodeContextWindow(_ body: [UInt8]) throws -> Int?
}

/// Turns one answer's stream into ``StreamEvent``s. One decoder per answer; it may keep state.
public protocol StreamDecoder {
    /// Decodes one SSE event (SSE framings).
    mutating func decode(_ event: ServerSentEvent, into events: inout [StreamEvent]) throws
    /// Decodes one NDJSON line (NDJSON framing).
    mutating func decode(line: ArraySlice<UInt8>, into events: inout [StreamEvent]) throws
    /// Called when the body ends cleanly; throws if the answer was not complete.
    mutating func finish(into events: inout [StreamEvent]) throws
}

extension StreamDecoder {
    public mutating func decode(line: ArraySlice<UInt8>, into events: inout [StreamEvent]) throws {}
}

extension WireFormat {
    public var connectionHint: String? { nil }
    public var credential: String? { nil }
    public func countTokensRequest(for request: ChatRequest) throws -> HTTPRequest? { nil }
    public func decodeTokenCount(_ body: [UInt8]) throws -> Int { 0 }
    public func contextWindowRequest(model: String) -> HTTPRequest? { nil }
    public func decodeContextWindow(_ body: [UInt8]) throws -> Int? { nil }
}

/// JSON helpers shared by the wire formats.
enum WireJSON {
    /// A request body: the JSON of `JSONEncoder` (`.withoutEscapingSlashes`), written by
    /// ``JSONBodyEncoder`` into one exactly sized array (a whole conversation can be megabytes).
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        try JSONBodyEncoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, provider: Provider) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch {
            let preview = String(decoding: bytes.prefix(200), as: UTF8.self)
            throw LLMClientError.malformedStream(provider: provider, detail: "unexpected JSON: \(preview)")
        }
    }

    /// The first part of an error body that is not JSON (an HTML page from a proxy, say).
    static func plainText(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(300), as: UTF8.self)
        return text.isEmpty ? "(empty body)" : text
    }

    /// Joins a base URL and a path with exactly one slash.
    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }
}

/// A JSON value of unknown shape: an error `code` may be a string (OpenAI) or a number (llama.cpp).
struct LooseScalar: Decodable, Sendable {
    let text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else {
            text = ""
        }
    }
}
