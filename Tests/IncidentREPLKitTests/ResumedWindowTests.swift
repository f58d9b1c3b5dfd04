import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Synchronization
import Testing

/// The view's cut is journaled at each truncation event, so the first request after a resume
/// extends the last one sent before it (the provider's cache still matches) instead of being a
/// truncation event of its own.
@Suite("The view's cut survives a resume")
struct ResumedWindowTests {
    static let start = JournalEvent.SessionStart(
        provider: "openai", model: ProviderFormat.defaultModel, role: nil, systemPrompt: "You are terse.",
        strategy: "drop-oldest")

    static func question(_ index: Int) -> String {
        "question \(index) about host WS-0\(10 + index % 9): " + String(repeating: "beacon every sixty seconds ", count: 25)
    }

    /// The system text and the messages of a recorded OpenAI request, as (role, content).
    static func messages(_ request: RecordedRequest) -> [[String]] {
        (request.json()?["messages"]?.array ?? []).map { [$0["role"]?.string ?? "", $0["content"]?.string ?? ""] }
    }

    @Test func theFirstRequestAfterResumeExtendsTheLastOneBefore() async throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path)
        // Usage as OpenAI reports it: the longest prefix shared with an earlier request is cached.
        let simulator = PromptCacheSimulator()
        let usages = Mutex<[LoopbackProvider.TokenUsage]>([])
        let server = try LoopbackServer(handler: { request in
            let usage = simulator.usage(for: request, format: .openai, output: 1)
            usages.withLock { $0.append(usage) }
            return .stream(.openai, deltas: ["Noted."], usage: usage)
        })
        defer { server.stop() }

        var before: [RecordedRequest] = []
        do {
            let run = try await SessionHarness.run(
                .openai, lines: (0..<24).map(Self.question), server: server, contextWindow: 3_000, maxTokens: 100
            ) { session in
                session.sessions = store
                var start = Self.start
                start.fenceKey = session.outbound.fenceKey
                session.journal = try? store.create(named: "casea", start: start)
            }
            #expect(run.session.failedTurns == 0)
            await run.session.journal?.waitUntilDurable()
            run.session.journal = nil  // closes it: one process writes a journal at a time
            before = run.requests
        }
        // Preconditions: the conversation was truncated, and its last request extended the one
        // before it (the window had grown past its low-water mark, so a fresh cut would differ).
        let last = try #require(before.last)
        let previous = before[before.count - 2]
        #expect(!last.bodyText.contains("question 0 "))
        #expect(Array(Self.messages(last).prefix(Self.messages(previous).count)) == Self.messages(previous))

        let resumed = try await SessionHarness.run(
            .openai, lines: ["/resume casea", "and the next step?"], server: server, contextWindow: 3_000, maxTokens: 100
        ) { session in
            session.sessions = store
        }
        // The provider read the resumed request's prefix from its cache: all but the new question.
        let usage = try #require(usages.withLock { $0.last })
        #expect(Double(usage.cacheRead) >= Double(usage.input) * 0.7, "\(usage)")
        #expect(resumed.session.failedTurns == 0)
        let after = try #require(resumed.requests.last)
        #expect(resumed.requests.count == before.count + 1)
        let sentBefore = Self.messages(last)
        let sentAfter = Self.messages(after)
        #expect(Array(sentAfter.prefix(sentBefore.count)) == sentBefore,
                "the first request after the resume does not extend the last one before it")
        #expect(sentAfter.last?[1] == "and the next step?")
        // The same key routes the resumed session's requests to the same cache.
        let key = try #require(last.json()?["prompt_cache_key"]?.string)
        #expect(after.json()?["prompt_cache_key"]?.string == key)
    }
}
