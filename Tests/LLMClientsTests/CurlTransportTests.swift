import LLMClients
import LoopbackProvider
import Synchronization
import Testing

/// The libcurl transport against a real HTTP/1.1 server on 127.0.0.1.
@Suite("libcurl transport")
struct CurlTransportTests {
    func post(_ server: LoopbackServer, path: String = "/v1/chat/completions") -> HTTPRequest {
        HTTPRequest(url: server.baseURL + path, headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
    }

    @Test func handsOnStreamedBytesAsTheyArrive() async throws {
        // The server sends one piece and then holds the rest for a minute: the piece must reach the
        // consumer long before that (no buffering until the end), however loaded the machine is.
        let server = try LoopbackServer(replies: [
            Reply(status: 200, parts: [.text("first"), .pause(.seconds(60)), .text("second")], chunked: true),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        let start = ContinuousClock.now
        let response = try await transport.send(post(server))
        var iterator = response.body.makeAsyncIterator()
        let first = try await iterator.next()
        #expect(first.map { String(decoding: $0, as: UTF8.self) } == "first")
        #expect(ContinuousClock.now - start < .seconds(50))
        #expect(server.requests.first?.header("expect") == nil)
    }

    @Test func givesTheStatusHeadersAndBodyOfANon2xxAnswer() async throws {
        let server = try LoopbackServer(replies: [.json(#"{"error":"nope"}"#, status: 503, headers: [("Retry-After", "7")])])
        defer { server.stop() }
        let response = try await CurlTransport().send(post(server))
        #expect(response.head.status == 503)
        #expect(response.head[header: "retry-after"] == "7")
        #expect(String(decoding: try await response.collectBody(), as: UTF8.self) == #"{"error":"nope"}"#)
    }

    @Test func reportsARefusedConnectionAsSuch() async throws {
        let url = "http://127.0.0.1:\(LoopbackServer.unusedPort())/v1/chat/completions"
        do {
            _ = try await CurlTransport().send(HTTPRequest(url: url, body: []))
            Issue.record("expected a failure")
        } catch let error as LLMClientError {
            guard case .transport(let failure) = error else { Issue.record("wrong error: \(error)"); return }
            #expect(failure.kind == .connectionRefused)
            #expect(error.description.contains("connection refused"))
        }
    }

    @Test func cancellingTheConsumerAbortsTheTransferPromptly() async throws {
        let server = try LoopbackServer(replies: [
            Reply(status: 200, parts: [.text("a"), .pause(.seconds(120)), .text("never")], chunked: true),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        let cancelledAt = Mutex<ContinuousClock.Instant?>(nil)
        let task = Task {
            let response = try await transport.send(post(server))
            var received = ""
            for try await chunk in response.body { received += String(decoding: chunk, as: UTF8.self) }
            return received
        }
        try await Task.sleep(for: .milliseconds(300))
        cancelledAt.withLock { $0 = .now }
        task.cancel()
        let result = await task.result
        let elapsed = ContinuousClock.now - cancelledAt.withLock { $0! }
        // Nowhere near the 120 s pause: the transfer thread was woken at once (the latency itself is
        // measured in the terminal test and the benchmarks, not asserted on a loaded machine).
        #expect(elapsed < .seconds(30))
        if case .success(let text) = result { #expect(!text.contains("never")) }
    }

    @Test func cancellingBeforeTheHeadArrivesAbortsTheTransferPromptly() async throws {
        let server = try LoopbackServer(replies: [Reply(status: 200, parts: [.text("late")], delayBeforeHead: .seconds(120))])
        defer { server.stop() }
        let transport = CurlTransport()
        let task = Task { try await transport.send(post(server)) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: LLMClientError.cancelled) { _ = try await task.value }
        #expect(ContinuousClock.now - cancelled < .seconds(30))
    }

    @Test func reusesOneConnectionForTwentyRequests() async throws {
        let server = try LoopbackServer(handler: { _ in .stream(.openai) })
        defer { server.stop() }
        let transport = CurlTransport()
        for _ in 0..<20 {
            let response = try await transport.send(post(server))
            _ = try await response.collectBody()
        }
        #expect(server.requests.count == 20)
        #expect(server.connectionsAccepted == 1)
        #expect(transport.connectionsOpened == 1)
    }

    @Test func endsAStalledAnswerWithAStallError() async throws {
        let server = try LoopbackServer(replies: [Reply(status: 200, parts: [.text("a"), .pause(.seconds(20)), .text("b")], chunked: true)])
        defer { server.stop() }
        let transport = CurlTransport(options: TransportOptions(stallTimeout: .milliseconds(400)))
        let response = try await transport.send(post(server))
        do {
            _ = try await response.collectBody()
            Issue.record("expected a stall")
        } catch let error as LLMClientError {
            guard case .transport(let failure) = error else { Issue.record("wrong error: \(error)"); return }
            #expect(failure.kind == .stalled)
        }
    }

    @Test func reportsABodyCutMidStreamAsALostConnection() async throws {
        let server = try LoopbackServer(replies: [Reply(status: 200, parts: [.text("partial"), .cut], chunked: true)])
        defer { server.stop() }
        let response = try await CurlTransport().send(post(server))
        var received: [UInt8] = []
        do {
            for try await chunk in response.body { received += chunk }
            Issue.record("expected a failure")
        } catch let error as LLMClientError {
            guard case .transport(let failure) = error else { Issue.record("wrong error: \(error)"); return }
            #expect(failure.kind == .connectionLost)
        }
        #expect(String(decoding: received, as: UTF8.self) == "partial")
    }

    @Test func neverShowsURLCredentialsInErrors() async throws {
        let url = "http://user:hunter2secret@127.0.0.1:\(LoopbackServer.unusedPort())/v1"
        do {
            _ = try await CurlTransport().send(HTTPRequest(url: url, body: []))
        } catch {
            #expect(!"\(error)".contains("hunter2secret"))
        }
    }
}
