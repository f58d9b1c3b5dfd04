/// One HTTP request as the loopback server received it, in arrival order.
public struct RecordedRequest: Sendable {
    /// The request method, e.g. `POST`.
    public let method: String
    /// The request target as sent: the path with its query, e.g. `/v1beta/models/m:streamGenerateContent?alt=sse`.
    public let path: String
    /// The headers, names lower-cased; a repeated header's values are joined with `", "`.
    public let headers: [String: String]
    /// The body bytes (chunked request bodies are already de-chunked).
    public let body: [UInt8]
    /// The zero-based index of the connection this request arrived on (counting accepted connections).
    public let connectionIndex: Int

    /// Creates a request record (the server makes these; tests may too, to drive handlers directly).
    public init(method: String, path: String, headers: [String: String] = [:], body: [UInt8] = [], connectionIndex: Int = 0) {
        self.method = method
        self.path = path
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
        self.connectionIndex = connectionIndex
    }

    /// The body decoded as UTF-8 (invalid sequences repaired).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The path without its query string.
    public var pathWithoutQuery: String {
        if let mark = path.firstIndex(of: "?") { return String(path[..<mark]) }
        return path
    }

    /// The query string after `?`, or nil when there is none.
    public var query: String? {
        guard let mark = path.firstIndex(of: "?") else { return nil }
        return String(path[path.index(after: mark)...])
    }

    /// A header's value by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body parsed as JSON, or nil when it is not JSON.
    public func json() -> JSONValue? { JSONValue.parse(body) }
}
