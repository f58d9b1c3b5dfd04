import ConversationCore
@testable import IncidentREPLKit
import LoopbackProvider
import Synchronization
import Testing

/// The window is asked of the server at launch in the background; the first turn settles it.
@Suite("Context window probe")
struct ContextWindowProbeTests {
    @Test
    func theServersWindowIsUsedFromTheFirstTurnAndNamedOnce() async throws {
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Beaconing."]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["what is 203.0.113.45?", "and now?"], server: server,
                                               contextWindow: 8192) { session in
            session.contextWindowProbe = ContextWindowProbe(startingNow: true) { 4096 }
        }
        #expect(run.session.failedTurns == 0)
        #expect(run.session.options.contextWindow == 4096)
        #expect(run.session.contextWindowProbe == nil)
        let notices = run.stderr.split(separator: "\n").filter { $0.hasPrefix("context: ") }
        #expect(notices == ["context: 4096 tokens (reported by the server)"])
        #expect(run.requests.count == 2)
    }

    @Test
    func withoutAnAnswerTheWindowInUseIsNamedAsADefault() async throws {
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Beaconing."]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/tokens"], server: server, contextWindow: 8192) { session in
            session.contextWindowProbe = ContextWindowProbe(startingNow: false) { nil }
        }
        #expect(run.session.options.contextWindow == 8192)
        #expect(run.stderr.contains("context: 8192 tokens (a default for an unknown model; --context-window sets it)"))
    }

    @Test
    func aDeferredProbeAsksOnlyWhenTheWindowIsFirstNeededAndThenOnce() async {
        let asks = Atomic<Int>(0)
        let probe = ContextWindowProbe(startingNow: false) {
            asks.add(1, ordering: .relaxed)
            return 32_768
        }
        await probe.cancel()  // never asked: nothing to stop
        #expect(asks.load(ordering: .relaxed) == 0)
        #expect(await probe.value() == 32_768)
        #expect(await probe.value() == 32_768)
        #expect(asks.load(ordering: .relaxed) == 1)
    }

    @Test
    func anEagerProbeAsksAtOnce() async {
        let asks = Atomic<Int>(0)
        let probe = ContextWindowProbe(startingNow: true) {
            asks.add(1, ordering: .relaxed)
            return nil
        }
        await probe.cancel()  // waits for the question already in flight
        #expect(asks.load(ordering: .relaxed) == 1)
    }

    @Test
    func commandsThatDoNotShowTheWindowNeverAskForIt() async throws {
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Beaconing."]) })
        defer { server.stop() }
        let asks = Atomic<Int>(0)
        let run = try await SessionHarness.run(.openai, lines: ["/help", "/facts", "/sessions"], server: server) { session in
            session.contextWindowProbe = ContextWindowProbe(startingNow: false) {
                asks.add(1, ordering: .relaxed)
                return 4096
            }
        }
        #expect(asks.load(ordering: .relaxed) == 0)
        #expect(!run.stderr.contains("context: "))
        #expect(run.session.contextWindowProbe != nil)
    }
}
