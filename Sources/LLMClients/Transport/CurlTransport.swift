internal import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The one HTTP transport: libcurl, one dedicated thread per transfer, bridged to async/await.
///
/// Connections are pooled: a conversation's consecutive turns to the same server reuse one keep-alive
/// connection. Certificates are always verified; `HTTPS_PROXY`, `NO_PROXY` and friends are honoured
/// as curl honours them.
public final class CurlTransport: HTTPTransport {
    private let options: TransportOptions
    private let idle = Mutex<[CurlConnection]>([])
    private let connectsCounter = Atomic<Int>(0)

    public init(options: TransportOptions = TransportOptions()) {
        self.options = options
    }

    /// How many new TCP connections this transport has opened so far.
    public var connectionsOpened: Int { connectsCounter.load(ordering: .relaxed) }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let endpoint = Self.endpoint(of: request.url)
        let control = TransferControl()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (head: CheckedContinuation<HTTPResponse, any Error>) in
                let options = self.options
                DetachedThread.run { [self] in
                    // The transfer makes the body stream and hands it over with the head: nothing on
                    // this thread keeps it, so a consumer that lets go of it cancels the transfer.
                    let transfer = CurlTransfer(control: control, endpoint: endpoint, headContinuation: head)
                    // A new connection is made here, off the caller's thread: the first one loads libcurl.
                    let connection: CurlConnection
                    do {
                        connection = try idle.withLock { $0.popLast() } ?? CurlConnection(endpoint: endpoint)
                    } catch {
                        transfer.finish(failure: error)
                        return
                    }
                    control.attach(connection)
                    let (failure, opened) = Self.perform(request, transfer: transfer, on: connection, options: options)
                    connectsCounter.add(opened, ordering: .relaxed)
                    // Back in the pool before the consumer learns the body is complete, so that its
                    // next request finds the kept-alive connection.
                    idle.withLock { $0.append(connection) }
                    transfer.finish(failure: failure)
                }
            }
        } onCancel: {
            control.cancel()
        }
    }

    /// Runs one transfer to completion on the calling (dedicated) thread; returns how it failed, if it
    /// did, and the connections it opened. The caller finishes the transfer.
    private static func perform(
        _ request: HTTPRequest, transfer: CurlTransfer, on connection: CurlConnection, options: TransportOptions
    ) -> (failure: (any Error)?, connectionsOpened: Int) {
        let curl = connection.curl
        let easy = connection.easy
        connection.transfer = transfer
        defer { connection.transfer = nil }
        curl.easyReset(easy)
        connection.errorBuffer[0] = 0

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        for (name, value) in request.headers {
            headerList = curl.listAppend(headerList, "\(name): \(value)")
        }
        headerList = curl.listAppend(headerList, "Expect:")  // no 100-continue round trip
        defer { curl.listFree(headerList) }

        // URL, protocols, verification and CA bundle: checked, and the request is not sent without them.
        if let unsafe = CurlSafetyOptions.apply(
            url: request.url, caBundle: options.caBundle, endpoint: transfer.endpoint,
            set: { option in
                let code: CURLcode = switch option {
                case .url(let url): curl.set(easy, CURLOPT_URL, url)
                case .protocolNames(let names): curl.set(easy, CURLOPT_PROTOCOLS_STR, names)
                // CURLOPT_PROTOCOLS (181): deprecated since 7.85 in favour of the names, named by number
                // so that the deprecation does not warn on every build.
                case .protocolMask(let mask): curl.set(easy, CURLoption(181), mask)
                case .verifyPeer: curl.set(easy, CURLOPT_SSL_VERIFYPEER, 1)
                case .verifyHost: curl.set(easy, CURLOPT_SSL_VERIFYHOST, 2)
                case .caBundle(let path): curl.set(easy, CURLOPT_CAINFO, path)
                }
                return Int(code.rawValue)
            },
            describe: { code in curl.easyError(CURLcode(UInt32(code))).map { String(cString: $0) } ?? "code \(code)" }
        ) {
            return (unsafe, 0)
        }
        curl.set(easy, CURLOPT_NOSIGNAL, 1)
        curl.set(easy, CURLOPT_CONNECTTIMEOUT_MS, options.connectTimeout.milliseconds)
        curl.set(easy, CURLOPT_TCP_KEEPALIVE, 1)
        curl.set(easy, CURLOPT_TCP_NODELAY, 1)
        curl.set(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        curl.set(easy, CURLOPT_FOLLOWLOCATION, 0)
        curl.set(easy, CURLOPT_ERRORBUFFER, pointer: connection.errorBuffer)
        curl.set(easy, CURLOPT_HTTPHEADER, list: headerList)
        switch request.method {
        case .get:
            curl.set(easy, CURLOPT_HTTPGET, 1)
        case .post:
            curl.set(easy, CURLOPT_POST, 1)
            curl.set(easy, CURLOPT_POSTFIELDSIZE_LARGE, size: request.body.count)
        }
        let context = Unmanaged.passUnretained(connection).toOpaque()
        curl.set(easy, CURLOPT_HEADERDATA, pointer: context)
        curl.set(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlConnection>.fromOpaque(context!).takeUnretainedValue().transfer!
            let length = size * count
            data.withMemoryRebound(to: UInt8.self, capacity: length) {
                transfer.receiveHeaderLine(UnsafeBufferPointer(start: $0, count: length))
            }
            return length
        }
        curl.set(easy, CURLOPT_WRITEDATA, pointer: context)
        curl.set(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            let transfer = Unmanaged<CurlConnection>.fromOpaque(context!).takeUnretainedValue().transfer!
            let length = size * count
            let keepGoing = data.withMemoryRebound(to: UInt8.self, capacity: length) {
                transfer.receiveBody(UnsafeBufferPointer(start: $0, count: length))
            }
            return keepGoing ? length : 0
        }

        // The body is handed to libcurl without a copy (CURLOPT_POSTFIELDS): it stays alive, and
        // unmoved, for the whole transfer inside this closure. A whole conversation can be megabytes.
        return request.body.withUnsafeBufferPointer { body in
            if request.method == .post {
                if let address = body.baseAddress, body.count > 0 {
                    curl.set(easy, CURLOPT_POSTFIELDS, pointer: UnsafeMutableRawPointer(mutating: address))
                } else {
                    curl.set(easy, CURLOPT_COPYPOSTFIELDS, "")
                }
            }
            return runTransfer(transfer, on: connection, options: options)
        }
    }

    /// Drives the multi handle until the transfer ends, is cancelled or stalls.
    private static func runTransfer(
        _ transfer: CurlTransfer, on connection: CurlConnection, options: TransportOptions
    ) -> (failure: (any Error)?, connectionsOpened: Int) {
        let curl = connection.curl
        let easy = connection.easy
        let multi = connection.multi
        _ = curl.multiAdd(multi, easy)
        var result = CURLE_OK
        var failure: (any Error)? = nil
        let pollMilliseconds = Int32(clamping: max(1, options.pollInterval.milliseconds))
        let stallNanoseconds = UInt64(max(0, options.stallTimeout.milliseconds)) * 1_000_000
        loop: while true {
            var running: Int32 = 0
            _ = curl.multiPerform(multi, &running)
            var queued: Int32 = 0
            while let message = curl.multiInfoRead(multi, &queued) {
                if message.pointee.msg == CURLMSG_DONE { result = message.pointee.data.result }
            }
            if transfer.control.isCancelled {
                failure = LLMClientError.cancelled
                break loop
            }
            if running == 0 { break loop }
            if MonotonicClock.nanoseconds() - transfer.lastActivity > stallNanoseconds {
                failure = LLMClientError.transport(TransportFailure(
                    kind: .stalled, endpoint: transfer.endpoint,
                    detail: "nothing received for \(options.stallTimeout.seconds) s"
                ))
                break loop
            }
            _ = curl.multiPoll(multi, nil, 0, pollMilliseconds, nil)
        }
        _ = curl.multiRemove(multi, easy)

        if failure == nil, result != CURLE_OK {
            failure = transfer.control.isCancelled
                ? LLMClientError.cancelled
                : LLMClientError.transport(Self.failure(for: result, connection: connection, transfer: transfer))
        }
        return (failure, curl.info(easy, CURLINFO_NUM_CONNECTS))
    }

    private static func failure(for code: CURLcode, connection: CurlConnection, transfer: CurlTransfer) -> TransportFailure {
        var detail = String(cString: connection.errorBuffer)
        if detail.isEmpty, let text = connection.curl.easyError(code) { detail = String(cString: text) }
        let kind: TransportFailure.Kind
        switch code {
        case CURLE_COULDNT_CONNECT:
            kind = .connectionRefused
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            kind = .hostNotFound
        case CURLE_OPERATION_TIMEDOUT:
            kind = transfer.headDelivered ? .stalled : .connectTimeout
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM,
            CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
            CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_ENGINE_NOTFOUND:
            kind = .tls
        case CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING:
            kind = .connectionLost
        case CURLE_URL_MALFORMAT:
            kind = .invalidURL
        case CURLE_UNSUPPORTED_PROTOCOL:
            kind = .unsupportedProtocol
        default:
            kind = .other
        }
        return TransportFailure(kind: kind, endpoint: transfer.endpoint, detail: detail)
    }

    /// Scheme, host and port of a URL, without credentials, path or query: safe to show.
    static func endpoint(of url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return "(invalid URL)" }
        let afterScheme = url[schemeEnd.upperBound...]
        var authority = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        return String(url[..<schemeEnd.upperBound] + authority)
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Seconds as a double, for messages.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
