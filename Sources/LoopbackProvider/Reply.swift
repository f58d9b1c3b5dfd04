/// What the loopback server sends back for one request: a status, headers and a body made of parts
/// written one by one, so pauses between them reach the client as real streaming.
public struct Reply: Sendable {
    /// One step of writing the body.
    public enum Part: Sendable {
        /// Raw bytes (one chunk when the reply is chunked).
        case bytes([UInt8])
        /// UTF-8 text (one chunk when the reply is chunked).
        case text(String)
        /// Waits before the next part (the client sees nothing meanwhile).
        case pause(Duration)
        /// Closes the socket at once (a FIN), mid-body: no terminating chunk, or fewer bytes than
        /// `Content-Length` declared. Later parts are never sent.
        case cut
        /// Like ``cut`` but resets the connection (a TCP RST).
        case reset
    }

    /// The HTTP status code.
    public var status: Int
    /// Extra header lines in order. `Content-Length`, `Transfer-Encoding` and `Connection` are set by
    /// the server from ``chunked`` and ``closeConnection`` and ignored here.
    public var headers: [(String, String)]
    /// The body, written in order.
    public var parts: [Part]
    /// True to send `Transfer-Encoding: chunked` (one chunk per data part); false for `Content-Length`.
    public var chunked: Bool
    /// True to send `Connection: close` and close the connection after this reply.
    public var closeConnection: Bool
    /// A wait before the status line is written (a slow first byte).
    public var delayBeforeHead: Duration

    /// Creates a reply.
    public init(
        status: Int = 200,
        headers: [(String, String)] = [],
        parts: [Part] = [],
        chunked: Bool = false,
        closeConnection: Bool = false,
        delayBeforeHead: Duration = .zero
    ) {
        self.status = status
        self.headers = headers
        self.parts = parts
        self.chunked = chunked
        self.closeConnection = closeConnection
        self.delayBeforeHead = delayBeforeHead
    }

    /// A `Content-Length` reply with a JSON body.
    public static func json(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, headers: [("content-type", "application/json")] + headers, parts: [.text(body)])
    }

    /// A `Content-Length` reply with a plain-text body.
    public static func text(_ body: String, status: Int = 200, headers: [(String, String)] = []) -> Reply {
        Reply(status: status, headers: [("content-type", "text/plain; charset=utf-8")] + headers, parts: [.text(body)])
    }

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.0.lowercased() == wanted }?.1
    }

    /// A copy with one more header line.
    public func adding(header name: String, _ value: String) -> Reply {
        var copy = self
        copy.headers.append((name, value))
        return copy
    }

    /// A copy whose body is written with a pause before every data part after the first.
    public func trickled(every interval: Duration) -> Reply {
        var copy = self
        copy.parts = []
        var seenData = false
        for part in parts {
            switch part {
            case .bytes, .text:
                if seenData, interval > .zero { copy.parts.append(.pause(interval)) }
                seenData = true
            default: break
            }
            copy.parts.append(part)
        }
        return copy
    }

    /// All data parts before any cut, concatenated: the body a client would receive.
    public var bodyBytes: [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            switch part {
            case .bytes(let bytes): out += bytes
            case .text(let text): out += text.utf8
            case .pause: continue
            case .cut, .reset: return out
            }
        }
        return out
    }

    /// The body as UTF-8 text (see ``bodyBytes``).
    public var bodyText: String { String(decoding: bodyBytes, as: UTF8.self) }

    /// The standard reason phrase for `status`.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 529: "Site Overloaded"
        default: "Status \(status)"
        }
    }
}
