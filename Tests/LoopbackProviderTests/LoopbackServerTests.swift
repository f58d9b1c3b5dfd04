#if canImport(Glibc)
import Glibc
#endif
import LoopbackProvider
import Testing

@Suite("LoopbackServer HTTP/1.1")
struct LoopbackServerTests {
    @Test func bindsLoopbackAndReportsPort() throws {
        let server = try LoopbackServer { _ in .text("hi") }
        defer { server.stop() }
        #expect(server.port > 0)
        #expect(server.baseURL == "http://127.0.0.1:\(server.port)")
    }

    @Test func keepsConnectionAliveAcrossRequests() throws {
        let server = try LoopbackServer { request in .text("you asked for \(request.path)") }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let first = try client.request("GET", "/one")
        let second = try client.request("POST", "/two", body: "x")
        #expect(first.status == 200 && first.bodyText == "you asked for /one")
        #expect(second.status == 200 && second.bodyText == "you asked for /two")
        #expect(server.connectionsAccepted == 1)
        #expect(server.requests.map(\.path) == ["/one", "/two"])
        #expect(server.requests.map(\.connectionIndex) == [0, 0])
    }

    @Test func countsSeparateConnections() throws {
        let server = try LoopbackServer { _ in .text("ok") }
        defer { server.stop() }
        for _ in 0..<3 {
            let client = try RawHTTPClient(port: server.port)
            #expect(try client.request("GET", "/").status == 200)
        }
        #expect(server.connectionsAccepted == 3)
        #expect(server.requests.map(\.connectionIndex) == [0, 1, 2])
    }

    @Test func chunkedFramingRoundTrips() throws {
        let big = [UInt8](repeating: UInt8(ascii: "z"), count: 300_000)
        let server = try LoopbackServer { _ in
            Reply(parts: [.text("abc"), .bytes(big), .text(""), .text("xyz")], chunked: true)
        }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/")
        #expect(response.headers["transfer-encoding"] == "chunked")
        #expect(response.headers["content-length"] == nil)
        #expect(response.complete)
        #expect(response.chunkSizes == [3, 300_000, 3])  // the empty part is not sent as a chunk
        #expect(response.body == Array("abc".utf8) + big + Array("xyz".utf8))
        // And the connection is still usable afterwards.
        #expect(try client.request("GET", "/again").complete)
    }

    @Test func contentLengthReplyIsExact() throws {
        let server = try LoopbackServer { _ in .json(#"{"a":1}"#, status: 201, headers: [("x-extra", "yes")]) }
        defer { server.stop() }
        let response = try RawHTTPClient(port: server.port).request("GET", "/")
        #expect(response.status == 201)
        #expect(response.headers["content-length"] == "7")
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["x-extra"] == "yes")
        #expect(response.bodyText == #"{"a":1}"#)
    }

    @Test func cutClosesChunkedBodyMidway() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.text("part one"), .cut, .text("never sent")], chunked: true) }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/")
        #expect(response.status == 200)
        #expect(!response.complete)
        #expect(response.bodyText == "part one")
        #expect(client.isClosedByPeer())
    }

    @Test func cutShortensContentLengthBody() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.text("12345"), .cut]) }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/")
        #expect(response.headers["content-length"] == "6")
        #expect(!response.complete)
        #expect(response.bodyText == "12345")
    }

    @Test func resetAbortsConnection() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.text("a"), .reset], chunked: true) }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/")
        #expect(!response.complete)
        #expect(client.isClosedByPeer())
    }

    @Test func pausesReallyDelayParts() throws {
        let server = try LoopbackServer { _ in
            Reply(parts: [.text("a"), .pause(.milliseconds(300)), .text("b")], chunked: true, delayBeforeHead: .milliseconds(200))
        }
        defer { server.stop() }
        let response = try RawHTTPClient(port: server.port).request("GET", "/")
        #expect(response.complete)
        #expect(response.headTime >= 0.18)
        #expect(response.chunkTimes.count == 2)
        #expect(response.chunkTimes[1] - response.chunkTimes[0] >= 0.28)
    }

    @Test func trickledReplyPausesBetweenDataParts() throws {
        let reply = Reply(parts: [.text("a"), .text("b"), .text("c")], chunked: true).trickled(every: .milliseconds(100))
        let server = try LoopbackServer { _ in reply }
        defer { server.stop() }
        let response = try RawHTTPClient(port: server.port).request("GET", "/")
        #expect(response.bodyText == "abc")
        #expect(response.chunkTimes[2] - response.chunkTimes[0] >= 0.18)
    }

    @Test func recordsRequests() throws {
        let server = try LoopbackServer { _ in .text("ok") }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        _ = try client.request("POST", "/v1beta/models/m:streamGenerateContent?alt=sse", body: #"{"stream":true,"n":2}"#,
                               headers: ["X-Goog-Api-Key": "AIza-test", "Content-Type": "application/json"])
        let request = try #require(server.requests.first)
        #expect(request.method == "POST")
        #expect(request.path == "/v1beta/models/m:streamGenerateContent?alt=sse")
        #expect(request.pathWithoutQuery == "/v1beta/models/m:streamGenerateContent")
        #expect(request.query == "alt=sse")
        #expect(request.headers["x-goog-api-key"] == "AIza-test")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.bodyText == #"{"stream":true,"n":2}"#)
        #expect(request.json()?["n"]?.int == 2)
        #expect(request.json()?["stream"]?.bool == true)
    }

    @Test func readsChunkedRequestBodyAndAnswersExpectContinue() throws {
        let server = try LoopbackServer { request in .text("got \(request.body.count)") }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        try client.send("POST /up HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\nexpect: 100-continue\r\n\r\n")
        try client.send("5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\ntrailer: t\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.bodyText == "got 11")
        #expect(server.requests.first?.bodyText == "hello world")
    }

    @Test func replyConnectionCloseClosesAfterReply() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.text("bye")], closeConnection: true) }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/")
        #expect(response.headers["connection"] == "close")
        #expect(response.complete)
        #expect(client.isClosedByPeer())
    }

    @Test func clientConnectionCloseIsHonoured() throws {
        let server = try LoopbackServer { _ in .text("ok") }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let response = try client.request("GET", "/", headers: ["Connection": "close"])
        #expect(response.headers["connection"] == "close")
        #expect(client.isClosedByPeer())
    }

    @Test func malformedRequestGets400() throws {
        let server = try LoopbackServer { _ in .text("ok") }
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        try client.send("NONSENSE\r\n\r\n")
        #expect(try client.readResponse().status == 400)
        #expect(client.isClosedByPeer())
        #expect(server.requests.isEmpty)
    }

    @Test func stopClosesOpenConnectionsAndListener() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.text("a"), .pause(.seconds(30)), .text("b")], chunked: true) }
        let port = server.port
        let client = try RawHTTPClient(port: port)
        try client.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n")
        let started = RawHTTPClient.now()
        PosixTestThread.run {
            usleep(200_000)
            server.stop()
        }
        let response = try client.readResponse()
        #expect(!response.complete)
        #expect(RawHTTPClient.now() - started < 5)
        server.stop()  // idempotent
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }
    }

    @Test func deinitStopsServer() throws {
        var port = 0
        do {
            let server = try LoopbackServer { _ in .text("ok") }
            port = server.port
            #expect(try RawHTTPClient(port: port).request("GET", "/").status == 200)
        }
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }
    }

    @Test func unusedPortRefusesConnections() throws {
        let port = LoopbackServer.unusedPort()
        #expect(port > 0)
        #expect(throws: RawHTTPClient.Failure.self) { try RawHTTPClient(port: port) }
    }

    @Test func servesConcurrentConnections() throws {
        let server = try LoopbackServer { _ in Reply(parts: [.pause(.milliseconds(300)), .text("done")], chunked: true) }
        defer { server.stop() }
        let clients = try (0..<4).map { _ in try RawHTTPClient(port: server.port) }
        let started = RawHTTPClient.now()
        for client in clients { try client.send("GET / HTTP/1.1\r\nhost: x\r\n\r\n") }
        for client in clients { #expect(try client.readResponse().bodyText == "done") }
        #expect(RawHTTPClient.now() - started < 1.0)  // in parallel, not 4 × 300 ms
        #expect(server.connectionsAccepted == 4)
    }
}

/// Runs a closure on a detached pthread (tests need a second thread without Foundation's `Thread`).
enum PosixTestThread {
    private final class Box {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func run(_ body: @escaping @Sendable () -> Void) {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, box)
        pthread_detach(thread)
    }
}
