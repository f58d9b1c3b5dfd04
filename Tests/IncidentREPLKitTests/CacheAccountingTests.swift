import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Synchronization
import Testing

/// What each turn cost: the footer, `/tokens`, the price table, the journal, and Ollama's counts.
@Suite("Cache accounting")
struct CacheAccountingTests {
    @Test func theFooterShowsTheCachedPartOfTheInput() {
        var outcome = StreamOutcome()
        outcome.usage = LLMClients.TokenUsage(inputTokens: 2_310, outputTokens: 212, cacheReadTokens: 2_048)
        #expect(outcome.footer.hasPrefix("[2,310 in (2,048 cached) · 212 out · "))
        outcome.usage = LLMClients.TokenUsage(inputTokens: 90, outputTokens: 5)
        #expect(outcome.footer.hasPrefix("[90 in · 5 out · "))
        outcome.usage = LLMClients.TokenUsage(inputTokens: 3_000, outputTokens: 5, cacheReadTokens: 0, cacheWriteTokens: 2_900)
        #expect(outcome.footer.hasPrefix("[3,000 in (2,900 written to the cache) · 5 out"))
    }

    @Test func theSessionTotalsAndCostComeFromThePriceTable() throws {
        var usage = SessionUsage()
        usage.add(LLMClients.TokenUsage(inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 1_000_000))
        usage.add(LLMClients.TokenUsage(inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 900_000))
        usage.add(LLMClients.TokenUsage())  // no report: not an answer that counts
        #expect(usage.answers == 2)
        #expect(usage.total == LLMClients.TokenUsage(
            inputTokens: 2_000_000, outputTokens: 100_000, cacheReadTokens: 900_000, cacheWriteTokens: 1_000_000))
        let lines = usage.report(provider: .anthropic, model: "claude-sonnet-4-5", ttl: .fiveMinutes)
        #expect(lines[0] == "session: 2 answers · 2,000,000 in (900,000 cache read, 1,000,000 cache write) · 100,000 out")
        #expect(lines[1] == "cache: 45.0% of prompt tokens read from the cache")
        // 1M written at $3.75, 0.9M read at $0.30, 0.1M plain at $3, 0.1M out at $15 = 3.75 + 0.27 + 0.3 + 1.5.
        #expect(lines[2].hasPrefix("cost: about $5.8200 with the cache, $7.5000 without (Claude Sonnet 4.x list prices as of"))
        #expect(usage.report(provider: .local, model: "smollm2", ttl: .fiveMinutes).last == "cost: none (a local model)")
        #expect(usage.report(provider: .openai, model: "my-finetune", ttl: .fiveMinutes).last?.contains("no published price") == true)
    }

    @Test func priceTableMatchesTheMostSpecificModelName() throws {
        #expect(PriceTable.price(for: "gpt-4o-mini-2024-07-18", provider: .openai)?.family == "GPT-4o mini")
        #expect(PriceTable.price(for: "gpt-4o-2024-08-06", provider: .openai)?.family == "GPT-4o")
        #expect(PriceTable.price(for: "gpt-4.1-mini", provider: .openai)?.family == "GPT-4.1 mini")
        #expect(PriceTable.price(for: "claude-haiku-4-5", provider: .anthropic)?.minimumCacheableTokens == 4_096)
        #expect(PriceTable.price(for: "gemini-2.5-pro", provider: .gemini)?.input == 1.25)
        #expect(PriceTable.price(for: "llama3.2", provider: .ollama) == nil)
        let sonnet = try #require(PriceTable.price(for: "claude-sonnet-4-6", provider: .anthropic))
        #expect(abs(sonnet.cacheRead - 0.3) < 1e-9 && abs(sonnet.cacheWrite5m - 3.75) < 1e-9 && abs(sonnet.cacheWrite1h - 6) < 1e-9)
    }

    @Test func theJournalKeepsCacheCountsForResume() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path, clock: SteppingClock().function)
        do {  // written, then closed (one process writes a journal at a time)
            let journal = try store.create(named: "cache", start: sampleStart)
            try journal.recordQuestion("Why does WS-042 beacon?")
            try journal.recordAnswer("C2.", status: .complete, usage: LLMClients.TokenUsage(
                inputTokens: 2_310, outputTokens: 12, cacheReadTokens: 2_048, cacheWriteTokens: 200))
        }
        let (session, _) = try store.resume("cache")
        let answer = try #require(session.answers[1])
        #expect(answer.cacheReadTokens == 2_048)
        #expect(answer.cacheWriteTokens == 200)
        let totals = SessionUsage(replaying: session.answers.values)
        #expect(totals.cacheReadTokens == 2_048 && totals.inputTokens == 2_310)
    }

    @Test func anOllamaCountWithoutTheCachedPrefixNeitherSkewsTheEstimatorNorWarns() async throws {
        let served = Atomic<Int>(0)
        let server = try LoopbackServer { request in
            // The first answer counts the whole prompt; later ones, like an Ollama that leaves the
            // cached prefix out of prompt_eval_count, only the new tokens.
            let first = served.wrappingAdd(1, ordering: .relaxed).oldValue == 0
            let input = first ? request.body.count / 4 : 30
            return .success(.ollama, usage: LoopbackProvider.TokenUsage(input: input, output: 4), for: request)
        }
        defer { server.stop() }
        let lines = (0..<8).map { "Question \($0): " + String(repeating: "what did the beacon on host WS-014 do next ", count: 14) }
        let run = try await SessionHarness.run(.ollama, lines: lines, server: server, contextWindow: 2_500, maxTokens: 100)
        #expect(!run.stderr.contains("dropped"), "no truncation event: every view extends the previous one")
        #expect(!run.stderr.contains("truncated silently"), "\(run.stderr)")
        let calibrated = try #require(run.session.estimator.calibrations.values.first)
        #expect(calibrated.samples == 1, "only the whole-prompt count taught the estimator")
        #expect(calibrated.ratio > 0.5)
    }
}
