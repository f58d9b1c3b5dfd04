import LLMClients
import Synchronization

/// A transport that answers every request with canned bytes, cut into chunks of a given size.
/// For decoding tests only; the transport itself is tested against a real loopback server.
final class FixtureTransport: HTTPTransport {
    let status: Int
    let headers: [String: String]
    let body: [UInt8]
    let chunkSize: Int
    let sent = Mutex<[HTTPRequest]>([])

    init(status: Int = 200, headers: [String: String] = [:], body: [UInt8], chunkSize: Int = 7) {
        self.status = status
        self.headers = headers
        self.body = body
        self.chunkSize = chunkSize
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        sent.withLock { $0.append(request) }
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        var offset = 0
        while offset < body.count {
            continuation.yield(Array(body[offset..<min(offset + chunkSize, body.count)]))
            offset += chunkSize
        }
        continuation.finish()
        return HTTPResponse(head: HTTPResponseHead(status: status, headers: headers), body: stream)
    }
}
