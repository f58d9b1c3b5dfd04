/// An ``LLMClient`` made of a provider's ``WireFormat`` over the shared ``HTTPTransport``, with the
/// SDKs' retry rules.
///
/// A request is retried only before any of its answer has arrived. Once a stream has started, a
/// failure ends the call (the text was already shown to the analyst); the caller keeps the partial
/// answer and decides.
public struct HTTPChatClient<Format: WireFormat>: LLMClient {
    public let format: Format
    public let transport: any HTTPTransport
    public let retryPolicy: RetryPolicy

    public init(format: Format, transport: any HTTPTransport, retryPolicy: RetryPolicy = RetryPolicy()) {
        self.format = format
        self.transport = transport
        self.retryPolicy = retryPolicy
    }

    public var provider: Provider { format.provider }
    public var endpoint: String { format.baseURL }

    public func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<StreamEvent, any Error>.makeStream()
        let task = Task {
            do {
                let http = try format.chatRequest(for: request, streaming: true)
                let response = try await send(http, model: request.model) { continuation.yield(.retrying($0)) }
                try await decodeStream(response.body, into: continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: normalise(error))
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Frames the body, decodes it, and yields events, joining the text deltas of one network read.
    private func decodeStream(
        _ body: AsyncThrowingStream<[UInt8], any Error>,
        into continuation: AsyncThrowingStream<StreamEvent, any Error>.Continuation
    ) async throws {
        var decoder = format.makeStreamDecoder()
        var events: [StreamEvent] = []
        var sse = ServerSentEventParser()
        var lines = LineSplitter()
        let framing = format.framing
        func flush() {
            var pendingText = ""
            for event in events {
                if case .text(let delta) = event {
                    pendingText += delta
                } else {
                    if !pendingText.isEmpty { continuation.yield(.text(pendingText)); pendingText = "" }
                    continuation.yield(event)
                }
            }
            if !pendingText.isEmpty { continuation.yield(.text(pendingText)) }
            events.removeAll(keepingCapacity: true)
        }
        do {
            for try await chunk in body {
                switch framing {
                case .serverSentEvents:
                    try sse.feed(chunk) { try decoder.decode($0, into: &events) }
                case .newlineDelimitedJSON:
                    try lines.feed(chunk) { line in
                        if !line.isEmpty { try decoder.decode(line: line, into: &events) }
                    }
                }
                flush()
            }
        } catch {
            flush()  // whatever arrived before the failure still reaches the analyst
            throw error
        }
        if Task.isCancelled { throw LLMClientError.cancelled }
        switch framing {
        case .serverSentEvents: try sse.finish { try decoder.decode($0, into: &events) }
        case .newlineDelimitedJSON: try lines.finish { line in if !line.isEmpty { try decoder.decode(line: line, into: &events) } }
        }
        try decoder.finish(into: &events)
        flush()
    }

    public func complete(_ request: ChatRequest) async throws -> ChatResponse {
        do {
            let http = try format.chatRequest(for: request, streaming: false)
            let response = try await send(http, model: request.model) { _ in }
            return try format.decodeResponse(try await response.collectBody())
        } catch {
            throw normalise(error)
        }
    }

    public func countTokens(_ request: ChatRequest) async throws -> Int? {
        guard let http = try format.countTokensRequest(for: request) else { return nil }
        do {
            let response = try await send(http, model: request.model) { _ in }
            return try format.decodeTokenCount(try await response.collectBody())
        } catch {
            throw normalise(error)
        }
    }

    public func contextWindow(model: String) async throws -> Int? {
        guard let http = format.contextWindowRequest(model: model) else { return nil }
        do {
            let response = try await send(http, model: model) { _ in }
            return try format.decodeContextWindow(try await response.collectBody(limit: 4 << 20))
        } catch {
            throw normalise(error)
        }
    }

    /// Sends `http`, retrying as the policy allows; returns a 2xx response whose body has not been read.
    func send(_ http: HTTPRequest, model: String, onRetry: (RetryNotice) -> Void) async throws -> HTTPResponse {
        var retry = 0
        while true {
            do {
                try Task.checkCancellation()
                let response = try await transport.send(http)
                if response.head.isSuccess { return response }
                let body = try await response.collectBody(limit: 1 << 20)
                var failure = format.decodeError(status: response.head.status, body: body, model: model)
                failure.message = Self.masking(format.credential, in: failure.message)
                failure.retryAfter = RetryPolicy.serverDelay(headers: response.head.headers)
                failure.shouldRetry = RetryPolicy.shouldRetry(headers: response.head.headers)
                throw LLMClientError.provider(failure)
            } catch {
                var error = normalise(error)
                if case .transport(var failure) = error, failure.kind == .connectionRefused, let hint = format.connectionHint {
                    failure.hint = hint
                    error = .transport(failure)
                }
                guard let delay = retryPolicy.delay(after: error, retry: retry) else { throw error }
                retry += 1
                onRetry(RetryNotice(
                    provider: provider, reason: Self.retryReason(error), delay: delay,
                    attempt: retry, maxAttempts: retryPolicy.maxRetries
                ))
                try await retryPolicy.sleep(delay)
            }
        }
    }

    private static func retryReason(_ error: LLMClientError) -> String {
        switch error {
        case .provider(let failure): return failure.retryReason
        case .transport(let failure):
            switch failure.kind {
            case .connectionRefused: return "connection refused"
            case .connectTimeout: return "connect timeout"
            case .connectionLost: return "connection lost"
            default: return "network error"
            }
        default: return "error"
        }
    }

    /// Replaces a key that a server echoed back (some do, in 401 bodies) by its last four characters.
    static func masking(_ key: String?, in text: String) -> String {
        guard let key, key.count >= 8, text.contains(key) else { return text }
        return text.replacing(key, with: "…" + key.suffix(4))
    }

    /// Every failure as an ``LLMClientError``, attributed to this client's provider.
    func normalise(_ error: any Error) -> LLMClientError {
        if let error = error as? LLMClientError { return error }
        if error is CancellationError { return .cancelled }
        return .malformedStream(provider: provider, detail: String(describing: error))
    }
}

/// Anthropic Messages over libcurl.
public typealias AnthropicClient = HTTPChatClient<AnthropicFormat>
/// OpenAI Chat Completions (and compatible servers) over libcurl.
public typealias OpenAIClient = HTTPChatClient<OpenAIFormat>
/// Google Gemini over libcurl.
public typealias GeminiClient = HTTPChatClient<GeminiFormat>
/// Ollama `/api/chat` over libcurl.
public typealias OllamaClient = HTTPChatClient<OllamaFormat>
