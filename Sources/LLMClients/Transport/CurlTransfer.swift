internal import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the async side and the transfer thread share: the cancel flag, the connection to wake.
final class TransferControl: Sendable {
    private let cancelled = Atomic<Bool>(false)
    /// Set by the transfer thread once it has a connection (a new one is made on that thread,
    /// because the first one loads libcurl).
    private let connection = Mutex<CurlConnection?>(nil)

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// The transfer runs on `connection` from now on.
    func attach(_ connection: CurlConnection) {
        self.connection.withLock { $0 = connection }
    }

    /// Asks the transfer to stop; it notices within one poll, and at once thanks to the wake-up.
    func cancel() {
        cancelled.store(true, ordering: .releasing)
        connection.withLock { $0?.wake() }
    }
}

/// The state of one transfer, confined to the thread that runs it.
///
/// The body stream is made here and handed to the consumer with the head; from then on only the
/// consumer holds it. When the consumer stops (its task is cancelled, or it drops the stream after a
/// decoding error), the stream terminates, ``TransferControl/cancel()`` runs and the transfer ends at
/// once: with llama.cpp's single slot, an abandoned generation would otherwise hold up the next request.
final class CurlTransfer {
    let control: TransferControl
    let endpoint: String
    private var headContinuation: CheckedContinuation<HTTPResponse, any Error>?
    /// Until the head is delivered; nil after, so that the transfer never keeps the stream alive.
    private var body: AsyncThrowingStream<[UInt8], any Error>?
    private let bodyContinuation: AsyncThrowingStream<[UInt8], any Error>.Continuation
    private var status = 0
    private var headers: [String: String] = [:]
    /// When the last byte (header or body) arrived, in monotonic nanoseconds.
    var lastActivity: UInt64
    var headDelivered: Bool { headContinuation == nil }

    init(control: TransferControl, endpoint: String, headContinuation: CheckedContinuation<HTTPResponse, any Error>) {
        self.control = control
        self.endpoint = endpoint
        self.headContinuation = headContinuation
        let (body, bodyContinuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        // `.cancelled` also when the consumer lets go of the stream without reading it to the end.
        bodyContinuation.onTermination = { termination in
            if case .cancelled = termination { control.cancel() }
        }
        self.body = body
        self.bodyContinuation = bodyContinuation
        lastActivity = MonotonicClock.nanoseconds()
    }

    /// One header line from libcurl, CRLF included.
    func receiveHeaderLine(_ bytes: UnsafeBufferPointer<UInt8>) {
        lastActivity = MonotonicClock.nanoseconds()
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[..<end]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = [:]
        } else if line.isEmpty {
            // End of one header block; 1xx blocks (100 Continue) are followed by the real one.
            if status >= 200 { deliverHead() }
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            headers[name] = value
        }
    }

    /// Body bytes; returns false when the transfer should stop (the consumer went away).
    func receiveBody(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        lastActivity = MonotonicClock.nanoseconds()
        if control.isCancelled { return false }
        if !headDelivered { deliverHead() }
        if case .terminated = bodyContinuation.yield(Array(bytes)) { return false }
        return true
    }

    private func deliverHead() {
        guard let continuation = headContinuation, let body else { return }
        headContinuation = nil
        self.body = nil
        continuation.resume(returning: HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: body))
    }

    /// Ends the transfer: a clean finish, or the failure given to whoever is waiting.
    func finish(failure: (any Error)?) {
        if let failure {
            if let continuation = headContinuation {
                headContinuation = nil
                body = nil
                continuation.resume(throwing: failure)
                bodyContinuation.finish(throwing: failure)
            } else {
                bodyContinuation.finish(throwing: failure)
            }
        } else {
            deliverHead()
            bodyContinuation.finish()
        }
    }
}

extension StringProtocol {
    package func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}

/// Monotonic time for timeouts, immune to wall-clock changes.
enum MonotonicClock {
    static func nanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
