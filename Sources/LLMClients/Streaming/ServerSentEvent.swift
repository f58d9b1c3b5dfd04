/// One event of a `text/event-stream`.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` name, or `nil` when the event had none.
    public var event: String?
    /// The `data:` lines joined with newlines.
    public var data: String

    public init(event: String? = nil, data: String) {
        self.event = event
        self.data = data
    }
}
