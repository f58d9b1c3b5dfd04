/// A chat model behind an HTTP API. Every call is independent: the caller resends the view each turn.
public protocol LLMClient: Sendable {
    /// Which provider family this client speaks to.
    var provider: Provider { get }
    /// The base URL requests go to, for the banner.
    var endpoint: String { get }

    /// Streams one answer. The stream throws ``LLMClientError``; cancelling the consuming task aborts
    /// the transfer.
    func stream(_ request: ChatRequest) -> AsyncThrowingStream<StreamEvent, any Error>

    /// Asks for one answer without streaming.
    func complete(_ request: ChatRequest) async throws -> ChatResponse

    /// The exact number of input tokens `request` would use, where the provider has a counting endpoint;
    /// `nil` where it has none.
    func countTokens(_ request: ChatRequest) async throws -> Int?

    /// The model's context window as the server reports it, or `nil` where it cannot say.
    func contextWindow(model: String) async throws -> Int?
}

extension LLMClient {
    /// Collects a streamed answer into one response.
    public func collect(_ request: ChatRequest) async throws -> ChatResponse {
        var response = ChatResponse(text: "")
        for try await event in stream(request) {
            switch event {
            case .text(let delta): response.text += delta
            case .usage(let usage): response.usage = response.usage.merging(usage)
            case .finished(let reason): response.stopReason = reason
            case .retrying, .promptProgress: break
            }
        }
        return response
    }
}
