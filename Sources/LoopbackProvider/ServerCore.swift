#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The state shared by the accept thread and the connection threads. ``LoopbackServer`` owns one and
/// stops it on `deinit`; the threads hold only this, so dropping the server really stops it.
final class ServerCore: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        var connectionsAccepted = 0
        var openConnections: Set<Int32> = []
        var acceptThread: pthread_t?
        var listenerClosed = false
    }

    let port: UInt16
    private let listener: Int32
    private let handler: @Sendable (RecordedRequest) -> Reply
    private let state = Mutex(State())
    private let stopped = Atomic<Bool>(false)

    init(port: UInt16, handler: @escaping @Sendable (RecordedRequest) -> Reply) throws {
        let (fd, actualPort) = try Socket.bindLoopback(port: port, listen: true)
        listener = fd
        self.port = actualPort
        self.handler = handler
    }

    /// Starts the accept thread.
    func start() {
        let thread = PosixThread.start(detached: false) { [self] in acceptLoop() }
        state.withLock { $0.acceptThread = thread }
    }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    var requests: [RecordedRequest] { state.withLock { $0.requests } }

    var connectionsAccepted: Int { state.withLock { $0.connectionsAccepted } }

    var openConnections: Int { state.withLock { $0.openConnections.count } }

    /// Closes the listener, shuts down every open connection and waits for the accept thread.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        let thread = state.withLock { state -> pthread_t? in
            for fd in state.openConnections { shutdown(fd, Int32(SHUT_RDWR)) }
            defer { state.acceptThread = nil }
            return state.acceptThread
        }
        if let thread { pthread_join(thread, nil) }
        state.withLock { state in
            if !state.listenerClosed {
                state.listenerClosed = true
                close(listener)
            }
        }
    }

    private func acceptLoop() {
        while !isStopped {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if isStopped { break }
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    Socket.sleep(.milliseconds(10)) { isStopped }
                    continue
                }
                break
            }
            let index = state.withLock { state -> Int? in
                guard !isStopped else { return nil }
                state.openConnections.insert(fd)
                state.connectionsAccepted += 1
                return state.connectionsAccepted - 1
            }
            guard let index else {
                close(fd)
                break
            }
            Socket.setNoDelay(fd)
            PosixThread.start(detached: true) { [self] in serve(fd, connectionIndex: index) }
        }
    }

    /// Answers requests on one connection until either side closes it.
    private func serve(_ fd: Int32, connectionIndex: Int) {
        var reader = RequestReader(fd: fd)
        var resetOnClose = false
        loop: while !isStopped {
            let parsed: RequestReader.Parsed
            do {
                parsed = try reader.next {
                    _ = Socket.sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                }
            } catch .malformed(let why) {
                _ = write(Reply.text("malformed request: \(why)\n", status: 400), to: fd, headOnly: false, forceClose: true)
                break
            } catch {
                break
            }
            let request = RecordedRequest(
                method: parsed.method, path: parsed.target, headers: parsed.headers, body: parsed.body,
                connectionIndex: connectionIndex)
            state.withLock { $0.requests.append(request) }
            let reply = handler(request)
            let connectionHeader = parsed.headers["connection"]?.lowercased() ?? ""
            let clientCloses = connectionHeader.contains("close")
                || (parsed.version == "HTTP/1.0" && !connectionHeader.contains("keep-alive"))
            switch write(reply, to: fd, headOnly: parsed.method == "HEAD", forceClose: clientCloses) {
            case .keepOpen: continue
            case .close: break loop
            case .reset:
                resetOnClose = true
                break loop
            }
        }
        state.withLock { state in
            state.openConnections.remove(fd)
            if resetOnClose { Socket.setResetOnClose(fd) } else { shutdown(fd, Int32(SHUT_RDWR)) }
            close(fd)
        }
    }

    /// What to do with the connection after a reply.
    private enum Outcome { case keepOpen, close, reset }

    /// Writes `reply` part by part.
    private func write(_ reply: Reply, to fd: Int32, headOnly: Bool, forceClose: Bool) -> Outcome {
        if reply.delayBeforeHead > .zero {
            Socket.sleep(reply.delayBeforeHead) { isStopped }
        }
        let closing = reply.closeConnection || forceClose
        var head = "HTTP/1.1 \(reply.status) \(Reply.reasonPhrase(reply.status))\r\n"
        for (name, value) in reply.headers {
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "connection": continue
            default: head += "\(name): \(value)\r\n"
            }
        }
        let hasBody = !headOnly && reply.status != 204 && reply.status != 304
        if reply.chunked {
            head += "transfer-encoding: chunked\r\n"
        } else {
            var length = 0
            var cuts = false
            for part in reply.parts {
                switch part {
                case .bytes(let bytes): length += bytes.count
                case .text(let text): length += text.utf8.count
                case .cut, .reset: cuts = true
                case .pause: break
                }
            }
            // A cut must be detectable even when it comes after the last data part.
            head += "content-length: \(length + (cuts ? 1 : 0))\r\n"
        }
        if closing { head += "connection: close\r\n" }
        head += "\r\n"
        guard Socket.sendAll(fd, Array(head.utf8)) else { return .close }
        guard hasBody else { return closing ? .close : .keepOpen }
        for part in reply.parts {
            if isStopped { return .close }
            switch part {
            case .bytes(let bytes):
                guard sendData(bytes, chunked: reply.chunked, to: fd) else { return .close }
            case .text(let text):
                guard sendData(Array(text.utf8), chunked: reply.chunked, to: fd) else { return .close }
            case .pause(let duration):
                Socket.sleep(duration) { isStopped }
            case .cut:
                return .close
            case .reset:
                return .reset
            }
        }
        if reply.chunked {
            guard Socket.sendAll(fd, Array("0\r\n\r\n".utf8)) else { return .close }
        }
        return closing ? .close : .keepOpen
    }

    /// Sends one data part, as one chunk when chunked (empty parts are skipped: a zero chunk ends the body).
    private func sendData(_ bytes: [UInt8], chunked: Bool, to fd: Int32) -> Bool {
        guard !bytes.isEmpty else { return true }
        guard chunked else { return Socket.sendAll(fd, bytes) }
        let header = Array((String(bytes.count, radix: 16) + "\r\n").utf8)
        if bytes.count <= 64 * 1024 {
            // One write per chunk for small parts: the client sees each event as one segment.
            var framed = header
            framed.reserveCapacity(header.count + bytes.count + 2)
            framed += bytes
            framed += [0x0D, 0x0A]
            return Socket.sendAll(fd, framed)
        }
        return Socket.sendAll(fd, header) && Socket.sendAll(fd, bytes) && Socket.sendAll(fd, [0x0D, 0x0A])
    }
}
