#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A test-only HTTP/1.1 server on 127.0.0.1 that answers every request with whatever its handler
/// returns: provider streams, provider errors, pauses and cut connections.
///
/// Each connection gets its own thread; connections are kept alive across requests until the client
/// closes, the client sends `Connection: close`, or a reply asks to close.
///
/// ```swift
/// let server = try LoopbackServer { request in .stream(.openai, deltas: ["Hi", "!"]) }
/// defer { server.stop() }
/// // point a client at server.baseURL + "/v1/chat/completions"
/// ```
public final class LoopbackServer: Sendable {
    /// The handler type: called on the connection's thread for each request, in arrival order per connection.
    public typealias Handler = @Sendable (RecordedRequest) -> Reply

    private let core: ServerCore

    /// Binds 127.0.0.1:`port` (0 picks a free port) and starts accepting connections.
    /// - Throws: a socket error when the port cannot be bound.
    public init(port: UInt16 = 0, handler: @escaping Handler) throws {
        core = try ServerCore(port: port, handler: handler)
        core.start()
    }

    /// Serves `replies` in order, then repeats the last one (see ``ScriptedHandler``).
    public convenience init(port: UInt16 = 0, replies: [Reply]) throws {
        try self.init(port: port, handler: ScriptedHandler(replies).handler)
    }

    deinit { core.stop() }

    /// The port actually bound.
    public var port: Int { Int(core.port) }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    public var baseURL: String { "http://127.0.0.1:\(core.port)" }

    /// Every request received so far, in arrival order.
    public var requests: [RecordedRequest] { core.requests }

    /// The number of TCP connections accepted so far.
    public var connectionsAccepted: Int { core.connectionsAccepted }

    /// The number of TCP connections open now (a connection closes when either side closes it).
    public var openConnections: Int { core.openConnections }

    /// Closes the listener and every open connection (mid-reply ones included). Idempotent; also runs on `deinit`.
    public func stop() { core.stop() }

    /// A port on 127.0.0.1 with nothing listening, for connection-refused tests. The port stays
    /// bound (never listening) for the life of the process: released, the kernel could hand it to
    /// another test's server, and the "refused" test would reach that server instead.
    public static func unusedPort() -> Int {
        guard let (fd, port) = try? Socket.bindLoopback(port: 0, listen: false) else { return 9 }
        reservedPorts.withLock { $0.append(fd) }
        return Int(port)
    }

    /// Descriptors holding the ports handed out by ``unusedPort()``.
    private static let reservedPorts = Mutex<[Int32]>([])
}
