@testable import LLMClients
import LoopbackProvider
import Synchronization
import Testing

/// The transport lets go of what its consumer let go of, refuses to send what it cannot send
/// safely, and does not retry what cannot succeed.
@Suite("Transport integrity")
struct TransportIntegrityTests {
    /// Waits up to `limit` for `condition`, polling without blocking the pool.
    static func eventually(within limit: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            try await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    static let request = ChatRequest(model: ProviderFormat.defaultModel, system: "", messages: [.user("hi")], maxTokens: 16)

    // MARK: - A consumer that stops

    @Test
    func aDecoderErrorEndsTheTransferInsteadOfLettingTheGenerationRun() async throws {
        // One bad event, then 600 more deltas 200 ms apart: two minutes of a generation nobody reads
        // (with llama.cpp's one slot, the next request would wait behind it). The bounds below are
        // far from those two minutes and far from the few milliseconds it takes, so a loaded machine
        // running the whole suite in parallel does not decide the outcome (one such run, with the
        // test's task waiting for a busy pool, took 31 s).
        let deltas = (0..<600).map { "token \($0) " }
        let server = try LoopbackServer(replies: [
            Reply.fault(.openai, .malformedEvent(afterDeltas: 1, thenContinue: true), deltas: deltas)
                .trickled(every: .milliseconds(200)),
        ])
        defer { server.stop() }
        let client = OpenAIClient(
            format: OpenAIFormat(baseURL: server.baseURL + "/v1", apiKey: "sk-test"), transport: CurlTransport()
        )
        let started = ContinuousClock.now
        do {
            for try await _ in client.stream(Self.request) {}
            Issue.record("the malformed event was accepted")
        } catch let error as LLMClientError {
            guard case .malformedStream = error else { Issue.record("wrong error: \(error)"); return }
        }
        #expect(ContinuousClock.now - started < .seconds(60))
        let closed = try await Self.eventually(within: .seconds(20)) { server.openConnections == 0 }
        #expect(closed, "the abandoned transfer kept its connection open")
    }

    @Test
    func droppingAnUnreadBodyCancelsTheTransfer() async throws {
        let server = try LoopbackServer(replies: [
            Reply(status: 200, parts: [.text("first")] + (0..<600).flatMap { _ in [Reply.Part.pause(.milliseconds(100)), .text("more")] },
                  chunked: true),
        ])
        defer { server.stop() }
        let transport = CurlTransport()
        do {
            let response = try await transport.send(HTTPRequest(url: server.baseURL + "/v1/chat/completions", body: Array("{}".utf8)))
            var iterator = response.body.makeAsyncIterator()
            _ = try await iterator.next()
        }  // the response and its body are gone: nobody will read the other 599 pieces (a minute)
        let closed = try await Self.eventually(within: .seconds(20)) { server.openConnections == 0 }
        #expect(closed, "the transfer went on after its body was dropped")
    }

    // MARK: - Safety options

    /// Runs ``CurlSafetyOptions/apply`` with libcurl answering `answers` (default OK); returns the
    /// failure and the options set in order.
    static func apply(
        caBundle: String? = nil, answers: [CurlSafetyOptions.Option: Int] = [:]
    ) -> (failure: LLMClientError?, set: [CurlSafetyOptions.Option]) {
        var set: [CurlSafetyOptions.Option] = []
        let failure = CurlSafetyOptions.apply(
            url: "https://api.example.test/v1/chat/completions", caBundle: caBundle, endpoint: "https://api.example.test",
            set: { option in
                set.append(option)
                return answers[option] ?? CurlSafetyOptions.ok
            },
            describe: { "libcurl code \($0)" }
        )
        return (failure, set)
    }

    static func kind(_ error: LLMClientError?) -> TransportFailure.Kind? {
        if case .transport(let failure)? = error { return failure.kind }
        return nil
    }

    @Test
    func everySafetyOptionIsSetOnACurrentLibcurl() {
        let (failure, set) = Self.apply(caBundle: "/etc/corp-ca.pem")
        #expect(failure == nil)
        #expect(set == [
            .url("https://api.example.test/v1/chat/completions"), .protocolNames("http,https"),
            .verifyPeer, .verifyHost, .caBundle("/etc/corp-ca.pem"),
        ])
    }

    @Test
    func anOlderLibcurlGetsTheProtocolBitmaskInstead() {
        // libcurl 7.68–7.84 does not know CURLOPT_PROTOCOLS_STR.
        let (failure, set) = Self.apply(answers: [.protocolNames("http,https"): CurlSafetyOptions.unknownOption])
        #expect(failure == nil)
        #expect(set.contains(.protocolMask(CurlSafetyOptions.httpAndHTTPS)))
        #expect(CurlSafetyOptions.httpAndHTTPS == 3)
    }

    @Test
    func aLibcurlThatCannotRestrictProtocolsSendsNothing() {
        let (failure, set) = Self.apply(answers: [
            .protocolNames("http,https"): CurlSafetyOptions.unknownOption,
            .protocolMask(CurlSafetyOptions.httpAndHTTPS): CurlSafetyOptions.unknownOption,
        ])
        #expect(Self.kind(failure) == .unsafeConfiguration)
        #expect(!set.contains(.verifyPeer), "went on setting up a request it must not send")
        let text = failure?.description ?? ""
        #expect(text.contains("refusing to send to https://api.example.test"))
        #expect(text.contains("CURLOPT_PROTOCOLS_STR") && text.contains("upgrade libcurl"))
        #expect(RetryPolicy().delay(after: failure!, retry: 0) == nil)
    }

    @Test(arguments: [CurlSafetyOptions.Option.verifyPeer, .verifyHost, .caBundle("/etc/corp-ca.pem")])
    func aRefusedVerificationOptionSendsNothing(option: CurlSafetyOptions.Option) {
        let (failure, _) = Self.apply(caBundle: "/etc/corp-ca.pem", answers: [option: CurlSafetyOptions.notBuiltIn])
        #expect(Self.kind(failure) == .unsafeConfiguration)
        #expect(failure?.description.contains(option.name) == true)
        #expect(failure?.description.contains("not sent") == true)
    }

    @Test
    func aRefusedURLSendsNothing() {
        let (failure, set) = Self.apply(answers: [.url("https://api.example.test/v1/chat/completions"): 3])
        #expect(Self.kind(failure) == .invalidURL)
        #expect(set.count == 1)
    }

    // MARK: - No retry for what cannot succeed

    @Test(arguments: [
        ("ftp://127.0.0.1:1", TransportFailure.Kind.unsupportedProtocol),
        ("http://exa mple.test", TransportFailure.Kind.invalidURL),
    ])
    func aRequestThatCannotSucceedIsNotRetried(baseURL: String, kind: TransportFailure.Kind) async throws {
        let sleeps = Mutex<[Duration]>([])
        let client = OpenAIClient(
            format: OpenAIFormat(baseURL: baseURL + "/v1", apiKey: "sk-test"), transport: CurlTransport(),
            retryPolicy: RetryPolicy(maxRetries: 2, sleep: { delay in sleeps.withLock { $0.append(delay) } }, random: { 0 })
        )
        do {
            for try await _ in client.stream(Self.request) {}
            Issue.record("expected a failure")
        } catch let error as LLMClientError {
            #expect(Self.kind(error) == kind, "\(error)")
        }
        #expect(sleeps.withLock { $0 }.isEmpty, "retried: \(sleeps.withLock { $0 })")
    }

    @Test(arguments: [
        TransportFailure.Kind.libraryUnavailable, .invalidURL, .unsupportedProtocol, .unsafeConfiguration,
    ])
    func failuresThatRepeatThemselvesAreNotRetried(kind: TransportFailure.Kind) {
        let error = LLMClientError.transport(TransportFailure(kind: kind, endpoint: "http://127.0.0.1:1", detail: "x"))
        #expect(RetryPolicy(maxRetries: 5).delay(after: error, retry: 0) == nil)
    }

    @Test
    func aRefusedConnectionIsStillRetried() {
        let error = LLMClientError.transport(TransportFailure(kind: .connectionRefused, endpoint: "http://127.0.0.1:1", detail: "x"))
        #expect(RetryPolicy(maxRetries: 2, random: { 0 }).delay(after: error, retry: 0) == .milliseconds(500))
    }
}
