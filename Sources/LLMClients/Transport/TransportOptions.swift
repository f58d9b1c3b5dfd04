/// Timeouts and TLS settings shared by every request of a transport.
public struct TransportOptions: Sendable, Equatable {
    /// How long establishing a connection (TCP and TLS) may take.
    public var connectTimeout: Duration
    /// How long the response may go without a single byte before the call fails.
    public var stallTimeout: Duration
    /// An extra CA bundle (PEM) for corporate TLS inspection. Verification itself is never turned off.
    public var caBundle: String?
    /// How often a transfer that is waiting on the network checks for cancellation and stalls.
    /// Cancellation also wakes the transfer at once, so this only bounds the stall check's resolution.
    public var pollInterval: Duration

    public init(
        connectTimeout: Duration = .seconds(10),
        stallTimeout: Duration = .seconds(120),
        caBundle: String? = nil,
        pollInterval: Duration = .milliseconds(50)
    ) {
        self.connectTimeout = connectTimeout
        self.stallTimeout = stallTimeout
        self.caBundle = caBundle
        self.pollInterval = pollInterval
    }
}
