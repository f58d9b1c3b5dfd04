import ConversationCore
import Testing

/// SplitMix64: a tiny seeded generator so every failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("View invariants over random conversations")
struct ViewInvariantTests {
    static let words = ["alert", "beacon", "host", "lateral", "the", "powershell", "é", "🔥", "12345", "{x}", "\n"]

    static func randomText(_ rng: inout SeededGenerator) -> String {
        var parts: [String] = []
        for _ in 0..<Int.random(in: 0...60, using: &rng) {
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: parts.append("10.0.\(Int.random(in: 0...3, using: &rng)).\(Int.random(in: 1...9, using: &rng))")
            case 1: parts.append("host: WS-0\(Int.random(in: 10...19, using: &rng))")
            default: parts.append(words.randomElement(using: &rng)!)
            }
        }
        return parts.joined(separator: " ")
    }

    static func randomConversation(_ rng: inout SeededGenerator) -> Conversation {
        var conversation = Conversation(systemPrompt: "System " + randomText(&rng))
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: conversation.strategy = .dropOldest
        case 1: conversation.strategy = .lastN(Int.random(in: 1...6, using: &rng))
        default: conversation.strategy = .summarise
        }
        if Bool.random(using: &rng) { conversation.appendAssistant("orphan greeting") }
        for _ in 0..<Int.random(in: 0...30, using: &rng) {
            conversation.appendUser(randomText(&rng))
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: break  // the answer failed: two user messages in a row follow
            case 1: conversation.appendAssistant(randomText(&rng), status: .interrupted)
            case 2:
                conversation.appendAssistant(randomText(&rng))
                conversation.appendAssistant(randomText(&rng))
            default: conversation.appendAssistant(randomText(&rng))
            }
        }
        conversation.appendUser("newest " + randomText(&rng))
        if Int.random(in: 0..<5, using: &rng) == 0 { conversation.appendAssistant(randomText(&rng)) }
        for _ in 0..<Int.random(in: 0...2, using: &rng) { conversation.pin("pin " + randomText(&rng)) }
        return conversation
    }

    /// One random case of the property test: a conversation (maybe with a summary), an estimator
    /// (maybe calibrated) and a budget. The coverage test walks the same seeds through it.
    static func scenario(seed: Int) throws -> (Conversation, TokenEstimator, ContextBudget) {
        var rng = SeededGenerator(seed: UInt64(seed))
        var conversation = randomConversation(&rng)
        var estimator = TokenEstimator()
        if Bool.random(using: &rng) {
            estimator.calibrate(estimatedInput: 1_000, reportedInput: Int.random(in: 500...2_500, using: &rng))
        }
        let budget = ContextBudget(
            contextWindow: Int.random(in: 50...3_000, using: &rng), reservedForAnswer: Int.random(in: 0...200, using: &rng))
        if conversation.strategy == .summarise, Bool.random(using: &rng),
            let plan = conversation.summaryPlan(budget: budget, estimator: estimator)
        {
            try conversation.recordSummary("summary " + randomText(&rng), covering: plan.coversThroughMessageID)
        }
        return (conversation, estimator, budget)
    }

    @Test(arguments: 0..<400)
    func everyViewKeepsTheInvariants(seed: Int) throws {
        let (conversation, estimator, budget) = try Self.scenario(seed: seed)
        let history = conversation.messages
        let newestUser = try #require(history.last(where: { $0.role == .user }))

        let view: ContextView
        do {
            view = try conversation.makeView(budget: budget, estimator: estimator)
        } catch {
            guard case .contextTooSmall(let required, let available) = error else {
                Issue.record("seed \(seed): unexpected \(error)")
                return
            }
            #expect(available == budget.available, "seed \(seed)")
            #expect(required > available, "seed \(seed)")
            // The required part really does not fit: system prompt + pins + newest message.
            let minimum = estimator.estimate(conversation.systemPrompt) + estimator.estimate(newestUser.text)
            #expect(minimum <= required + 8, "seed \(seed)")
            return
        }

        // The system prompt and every pin are sent.
        #expect(view.system.hasPrefix(conversation.systemPrompt), "seed \(seed)")
        for pin in conversation.facts.pins { #expect(view.system.contains(pin), "seed \(seed)") }
        // The newest user message is sent whole.
        #expect(view.messages.contains { $0.role == .user && $0.id == newestUser.id && $0.text.hasSuffix(newestUser.text) },
            "seed \(seed)")
        // Starts with a user message and alternates.
        #expect(view.messages.first?.role == .user, "seed \(seed)")
        for (earlier, later) in zip(view.messages, view.messages.dropFirst()) {
            #expect(earlier.role != later.role, "seed \(seed)")
        }
        // Fits, and the claimed estimate is not below an independent recount.
        #expect(view.estimatedTokens <= budget.available, "seed \(seed)")
        let recountRaw = TokenEstimator.rawEstimate(view.system) + TokenEstimator.messageOverhead
            + view.messages.reduce(0) { $0 + TokenEstimator.rawEstimate($1.text) + TokenEstimator.messageOverhead }
        #expect(estimator.scaled(recountRaw) <= view.estimatedTokens, "seed \(seed)")
        // Exchanges are never split: every sent user message is followed by its whole answer.
        let sent = view.sentMessageIDs
        #expect(sent.upperBound == history.count, "seed \(seed)")
        if let first = view.messages.first { #expect(first.id >= sent.lowerBound, "seed \(seed)") }
        #expect(sent.isEmpty || history[sent.lowerBound].role == .user, "seed \(seed)")
        if sent.lowerBound > 0 && !sent.isEmpty {
            #expect(history[sent.lowerBound - 1].role == .assistant || sent.lowerBound == newestUser.id,
                "seed \(seed): the cut falls inside an exchange")
        }
        let sentAssistantIDs = Set(view.messages.filter { $0.role == .assistant }.map(\.id))
        for message in history[sent] where message.role == .assistant {
            let isLastOfRun = message.id + 1 == history.count || history[message.id + 1].role == .user
            if isLastOfRun { #expect(sentAssistantIDs.contains(message.id), "seed \(seed)") }
        }
        // The analyst's facts only mentioned in left-out messages are carried in the system text
        // (unless the notice says some were left out for space); the model's own never are.
        let afterPrompt = view.system.dropFirst(conversation.systemPrompt.count)
        let indicatorLines = (afterPrompt.firstRange(of: "Indicators the analyst gave in messages no longer sent:")
            .map { afterPrompt[$0.upperBound...] } ?? "").split(separator: "\n").prefix { $0.hasPrefix("- ") }
        let factsBlock = indicatorLines.joined(separator: "\n")
        for (position, indicator) in conversation.facts.indicators.enumerated()
        where conversation.facts.lastMentionIDs[position] < sent.lowerBound {
            if !conversation.facts.provenance[position].isFromAnalyst {
                #expect(!factsBlock.contains(indicator.value) || conversation.facts.pins.contains { $0.contains(indicator.value) }
                    || conversation.facts.indicators.contains { $0.value != indicator.value && $0.value.contains(indicator.value) },
                    "seed \(seed): model-only \(indicator.value) carried")
            } else if view.notice?.contains("older case facts left out") != true {
                #expect(afterPrompt.contains(indicator.value), "seed \(seed): \(indicator.value) lost")
            }
        }
        // Truncation is always visible.
        if sent.lowerBound > 0 && history[0..<sent.lowerBound].contains(where: { $0.role == .user }) {
            #expect(view.notice != nil, "seed \(seed)")
        }
    }
}

@Suite("Random conversation coverage")
struct RandomCoverageTests {
    /// Guards the property test against a generator that stops reaching the interesting cases.
    @Test func randomCasesReachTruncationSummariesFactsAndErrors() {
        var truncated = 0, summarised = 0, carriedFacts = 0, tooSmall = 0, whole = 0
        for seed in 0..<400 {
            guard let (conversation, estimator, budget) = try? ViewInvariantTests.scenario(seed: seed) else { continue }
            guard let view = try? conversation.makeView(budget: budget, estimator: estimator) else {
                tooSmall += 1
                continue
            }
            if view.droppedMessageCount > 0 { truncated += 1 } else { whole += 1 }
            if view.summarisedMessageCount > 0 { summarised += 1 }
            if view.carriedFactCount > 0 { carriedFacts += 1 }
        }
        #expect(truncated >= 40, "truncated \(truncated)")
        #expect(summarised >= 10, "summarised \(summarised)")
        #expect(carriedFacts >= 20, "carried facts \(carriedFacts)")
        #expect(tooSmall >= 10, "too small \(tooSmall)")
        #expect(whole >= 20, "whole \(whole)")
        print("coverage: truncated \(truncated), summarised \(summarised), facts \(carriedFacts), too small \(tooSmall), whole \(whole)")
    }
}
