/// A whole answer, as ``LLMClient/complete(_:)`` returns it.
public struct ChatResponse: Sendable, Equatable {
    public var text: String
    public var usage: TokenUsage
    public var stopReason: StopReason?

    public init(text: String, usage: TokenUsage = TokenUsage(), stopReason: StopReason? = nil) {
        self.text = text
        self.usage = usage
        self.stopReason = stopReason
    }
}
