import ConversationCore
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Every fault a provider can throw, against every provider, through a real session: the REPL keeps
/// running, the history stays valid, the next turn succeeds, and retries happen exactly as the
/// official SDKs do them.
@Suite("Faults against every provider")
struct FaultMatrixTests {
    enum Expectation: Sendable {
        /// Retried once after this delay, then answered.
        case retried(Duration)
        /// Failed without a retry; nothing of an answer was kept.
        case failedWithoutAnswer
        /// Failed part-way; the partial answer is kept, marked interrupted.
        case failedWithPartialAnswer
        /// Failed without a retry, with or without a partial answer depending on where the stall fell.
        case failedEitherWay
        /// Answered at the first attempt (after an automatic context rebuild when `requests` is 2).
        case answered(requests: Int)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let fault: Fault
        let expectation: Expectation
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "429 with retry-after", fault: .rateLimited(retryAfter: "1"), expectation: .retried(.seconds(1))),
        Case(name: "429 with retry-after-ms", fault: .rateLimited(retryAfterMilliseconds: "1500"), expectation: .retried(.milliseconds(1500))),
        Case(name: "overloaded (529/503)", fault: .overloaded, expectation: .retried(.milliseconds(500))),
        Case(name: "500", fault: .serverError(status: 500), expectation: .retried(.milliseconds(500))),
        Case(name: "503", fault: .unavailable, expectation: .retried(.milliseconds(500))),
        Case(name: "x-should-retry true on a 400", fault: .shouldRetry(true), expectation: .retried(.milliseconds(500))),
        Case(name: "x-should-retry false on a 500", fault: .shouldRetry(false), expectation: .failedWithoutAnswer),
        Case(name: "401", fault: .unauthorized, expectation: .failedWithoutAnswer),
        Case(name: "model not found", fault: .modelNotFound(nil), expectation: .failedWithoutAnswer),
        Case(name: "quota exhausted", fault: .quotaExhausted, expectation: .failedWithoutAnswer),
        Case(name: "context overflow", fault: .contextOverflow(), expectation: .answered(requests: 2)),
        Case(name: "stream cut part-way", fault: .streamCut(afterDeltas: 2), expectation: .failedWithPartialAnswer),
        Case(name: "in-stream error", fault: .inStreamError(afterDeltas: 2), expectation: .failedWithPartialAnswer),
        Case(name: "malformed event", fault: .malformedEvent(afterDeltas: 2, thenContinue: false), expectation: .failedWithPartialAnswer),
        Case(name: "slow first byte", fault: .slowFirstByte(.milliseconds(300)), expectation: .answered(requests: 1)),
        Case(name: "trickle slower than the stall timeout", fault: .trickle(interval: .seconds(2)), expectation: .failedEitherWay),
    ]

    static let formats: [ProviderFormat] = [.anthropic, .openai, .gemini, .ollama]

    @Test(arguments: formats, cases)
    func faultLeavesTheSessionUsable(format: ProviderFormat, scenario: Case) async throws {
        var expectation = scenario.expectation
        // Ollama has no overflow error: it truncates silently and answers.
        if format == .ollama, case .contextOverflow = scenario.fault { expectation = .answered(requests: 1) }
        let success = Reply.stream(format, deltas: ["Hello", ", ", "world", "."])
        let script = ScriptedHandler(steps: [{ _ in .fault(format, scenario.fault) }], then: { _ in success })
        let server = try LoopbackServer(handler: script.handler)
        defer { server.stop() }

        let run = try await SessionHarness.run(
            format, lines: ["first question about 203.0.113.45", "second question"], server: server,
            transportOptions: TransportOptions(stallTimeout: .milliseconds(700))
        )

        let firstTurnRequests = run.requests.count - 1
        let messages = run.session.conversation.messages
        switch expectation {
        case .retried(let delay):
            #expect(run.sleeps == [delay])
            #expect(firstTurnRequests == 2)
            #expect(run.session.failedTurns == 0)
            #expect(run.stderr.contains("retrying in"))
        case .failedWithoutAnswer:
            #expect(run.sleeps.isEmpty)
            #expect(firstTurnRequests == 1)
            #expect(run.session.failedTurns == 1)
            #expect(messages.map(\.role) == [.user, .user, .assistant])
        case .failedWithPartialAnswer:
            #expect(run.sleeps.isEmpty)
            #expect(firstTurnRequests == 1)
            #expect(run.session.failedTurns == 1)
            #expect(messages.map(\.role) == [.user, .assistant, .user, .assistant])
            #expect(messages[1].status == .interrupted)
            #expect(!messages[1].text.isEmpty)
        case .failedEitherWay:
            #expect(run.sleeps.isEmpty)
            #expect(firstTurnRequests == 1)
            #expect(run.session.failedTurns == 1)
            #expect(messages.filter { $0.role == .assistant }.allSatisfy { $0.status == .interrupted || $0 == messages.last })
            #expect(run.stderr.contains("stall"))
        case .answered(let requests):
            #expect(run.sleeps.isEmpty)
            #expect(firstTurnRequests == requests)
            #expect(run.session.failedTurns == 0)
        }
        // The next turn succeeds, and what it sent is a valid conversation for every provider.
        #expect(messages.last?.role == .assistant)
        #expect(messages.last?.text == "Hello, world.")
        #expect(messages.last?.status == .complete)
        let roles = SessionHarness.roles(of: try #require(run.requests.last), format: format)
        #expect(roles.first == "user")
        #expect(roles.last == "user")
        #expect(zip(roles, roles.dropFirst()).allSatisfy { $0 != $1 }, "roles sent: \(roles)")
    }

    @Test(arguments: formats)
    func aTenMegabyteAnswerArrivesWhole(format: ProviderFormat) async throws {
        let server = try LoopbackServer(handler: { _ in .fault(format, .hugeAnswer(bytes: 10_000_000)) })
        defer { server.stop() }
        let run = try await SessionHarness.run(format, lines: ["dump everything"], server: server)
        #expect(run.session.failedTurns == 0)
        let answer = try #require(run.session.conversation.messages.last)
        #expect(answer.role == .assistant)
        #expect(answer.text.utf8.count >= 9_900_000)
    }

    @Test(arguments: formats)
    func aRefusedConnectionIsRetriedThenFailsTheTurnWithAHint(format: ProviderFormat) async throws {
        let run = try await SessionHarness.run(
            format, lines: ["hello", "/history"], baseURL: "http://127.0.0.1:\(LoopbackServer.unusedPort())"
        )
        #expect(run.session.failedTurns == 1)
        #expect(run.sleeps == [.milliseconds(500), .milliseconds(1000)])
        #expect(run.stderr.contains("connection refused"))
        if format == .ollama { #expect(run.stderr.contains("ollama serve")) }
        // The session went on to the next line, and the question is still in the history.
        #expect(run.stdout.contains("#1 You:"))
        #expect(run.session.conversation.messages.map(\.text) == ["hello"])
    }
}
