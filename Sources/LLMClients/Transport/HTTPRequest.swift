/// An HTTP request as the transport sends it.
public struct HTTPRequest: Sendable, Equatable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    public var method: Method
    public var url: String
    /// Header fields in order. Values that carry secrets (keys) never appear in errors or logs.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: Method = .post, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}

/// The status line and header fields of a response.
public struct HTTPResponseHead: Sendable, Equatable {
    public var status: Int
    /// Header fields with lower-cased names; a repeated field keeps its last value.
    public var headers: [String: String]

    public init(status: Int, headers: [String: String] = [:]) {
        self.status = status
        self.headers = headers
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// A header value by case-insensitive name.
    public subscript(header name: String) -> String? { headers[name.lowercased()] }
}

/// A response whose head has arrived and whose body is still arriving.
public struct HTTPResponse: Sendable {
    public var head: HTTPResponseHead
    /// The body in the pieces it arrived in. Cancelling its consumer, or letting go of it before the
    /// end (after a decoding error, say), aborts the transfer.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public init(head: HTTPResponseHead, body: AsyncThrowingStream<[UInt8], any Error>) {
        self.head = head
        self.body = body
    }

    /// Reads the whole body (for error bodies and non-streaming answers), up to `limit` bytes.
    public func collectBody(limit: Int = 64 << 20) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes.append(contentsOf: chunk.prefix(max(0, limit - bytes.count)))
        }
        return bytes
    }
}

/// Sends HTTP requests. One implementation, ``CurlTransport``, serves every backend; tests may inject another.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns once the response head has arrived.
    /// Throws ``LLMClientError/transport(_:)`` when no answer comes, ``LLMClientError/cancelled`` on cancellation.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}
