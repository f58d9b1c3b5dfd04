#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
public import LLMClients
import Synchronization

/// A transport that records every outgoing request (method, URL and body; never headers, which carry
/// keys) as one JSON line in an audit file, then sends it through the real transport.
public final class AuditingTransport: HTTPTransport {
    private let base: any HTTPTransport
    private let file: Mutex<PrivateFile>

    struct Entry: Encodable {
        let method: String
        let url: String
        let body: String
    }

    public init(base: any HTTPTransport, path: String) throws {
        self.base = base
        file = Mutex(try PrivateFile(appendingTo: path))
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let entry = Entry(method: request.method.rawValue, url: request.url, body: String(decoding: request.body, as: UTF8.self))
        var line = (try? JSONEncoder().encode(entry)).map { Array($0) } ?? []
        line.append(0x0A)
        try file.withLock { try $0.append(line, sync: false) }
        return try await base.send(request)
    }
}
