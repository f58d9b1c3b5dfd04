import Synchronization

/// Answers successive requests from a queue (for example fault, fault, success), so retry tests can
/// script a sequence; once the queue is used up it keeps answering with a fallback.
///
/// ```swift
/// let script = ScriptedHandler([.fault(.anthropic, .overloaded), .stream(.anthropic, deltas: ["ok"])])
/// let server = try LoopbackServer(handler: script.handler)
/// ```
public final class ScriptedHandler: Sendable {
    private let steps: [LoopbackServer.Handler]
    private let fallback: LoopbackServer.Handler
    private let served = Atomic<Int>(0)

    /// Serves `replies` in order; afterwards `then`, or (when nil) the last reply again, or an empty
    /// `200 {}` when `replies` is empty.
    public convenience init(_ replies: [Reply], then fallback: Reply? = nil) {
        let after = fallback ?? replies.last ?? Reply.json("{}")
        self.init(steps: replies.map { reply in { _ in reply } }, then: { _ in after })
    }

    /// Calls `steps` in order, one per request; afterwards `then`, or the last step again.
    public init(steps: [LoopbackServer.Handler], then fallback: LoopbackServer.Handler? = nil) {
        self.steps = steps
        self.fallback = fallback ?? steps.last ?? { _ in Reply.json("{}") }
    }

    /// The number of requests answered so far.
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    /// The number of scripted steps not yet used.
    public var remaining: Int { max(0, steps.count - requestsServed) }

    /// Answers the next request.
    public func reply(to request: RecordedRequest) -> Reply {
        let index = served.wrappingAdd(1, ordering: .relaxed).oldValue
        return index < steps.count ? steps[index](request) : fallback(request)
    }

    /// This script as a server handler.
    public var handler: LoopbackServer.Handler { { [self] request in reply(to: request) } }
}
