import ConversationCore
import Testing

@Suite("Summarise strategy")
struct SummariseTests {
    private let filler = String(repeating: "Timeline detail for the incident report. ", count: 10)

    private func longConversation(turns: Int) -> Conversation {
        var conversation = Conversation(systemPrompt: "You help a security analyst.", strategy: .summarise)
        for turn in 0..<turns {
            conversation.appendUser("Turn \(turn): what about host: WS-\(100 + turn)? " + filler)
            conversation.appendAssistant("Answer \(turn). " + filler)
        }
        conversation.appendUser("And now?")
        return conversation
    }

    private let budget = ContextBudget(contextWindow: 4_000, reservedForAnswer: 500)

    @Test func noPlanWhileTheConversationIsSmall() {
        #expect(longConversation(turns: 1).summaryPlan(budget: budget, estimator: TokenEstimator()) == nil)
    }

    @Test func otherStrategiesNeverPlanASummary() {
        var conversation = longConversation(turns: 30)
        conversation.strategy = .dropOldest
        #expect(conversation.summaryPlan(budget: budget, estimator: TokenEstimator()) == nil)
    }

    @Test func planStartsBeforeTheWindowIsFull() throws {
        let estimator = TokenEstimator()
        var turns = 1
        var conversation = longConversation(turns: turns)
        while conversation.summaryPlan(budget: budget, estimator: estimator) == nil {
            turns += 1
            conversation = longConversation(turns: turns)
        }
        let view = try conversation.makeView(budget: budget, estimator: estimator)
        #expect(view.droppedMessageCount == 0, "the plan should come before anything has to be dropped")
        #expect(view.estimatedTokens > budget.summariseThreshold)
    }

    @Test func summaryIsExtendedAndReplacesTheOldestExchanges() throws {
        let estimator = TokenEstimator()
        var conversation = longConversation(turns: 30)
        let plan = try #require(conversation.summaryPlan(budget: budget, estimator: estimator))
        #expect(plan.previousSummary == nil)
        #expect(plan.messages.first?.id == 0)
        #expect(plan.messages.first?.role == .user)
        #expect(plan.messages.last?.role == .assistant)
        #expect(plan.prompt.contains("Turn 0"))
        try conversation.recordSummary("S1: hosts WS-100 onward examined.", covering: plan.coversThroughMessageID)
        let view = try conversation.makeView(budget: budget, estimator: estimator)
        #expect(view.system.contains("S1: hosts WS-100 onward examined."))
        #expect(view.summarisedMessageCount == plan.coversThroughMessageID + 1)
        #expect((view.messages.first?.id ?? 0) > plan.coversThroughMessageID)
        #expect(view.notice?.contains("earlier messages sent as a summary") == true)
        #expect(view.system.contains("WS-100"))

        // The next plan extends the summary rather than starting again.
        var next = conversation
        for turn in 30..<60 {
            next.appendUser("Turn \(turn) " + filler)
            next.appendAssistant("Answer \(turn) " + filler)
        }
        next.appendUser("Next?")
        let second = try #require(next.summaryPlan(budget: budget, estimator: estimator))
        #expect(second.previousSummary == "S1: hosts WS-100 onward examined.")
        #expect((second.messages.first?.id ?? 0) > plan.coversThroughMessageID)
        #expect(throws: ConversationError.summaryGoesBackwards(coveringThrough: 0, alreadyCovered: plan.coversThroughMessageID)) {
            try next.recordSummary("x", covering: 0)
        }
        #expect(throws: ConversationError.unknownMessage(id: 10_000, count: next.messages.count)) {
            try next.recordSummary("x", covering: 10_000)
        }
    }

    @Test func anOversizedSummaryIsCondensed() throws {
        var conversation = longConversation(turns: 3)
        try conversation.recordSummary(String(repeating: "very long summary ", count: 200), covering: 1)
        let plan = try #require(conversation.summaryPlan(budget: budget, estimator: TokenEstimator()))
        #expect(plan.condense)
        #expect(plan.prompt.contains("Rewrite more briefly"))
    }

    @Test func withoutASummaryTheViewFallsBackToDroppingOldest() throws {
        let conversation = longConversation(turns: 40)
        let view = try conversation.makeView(budget: budget, estimator: TokenEstimator())
        #expect(view.droppedMessageCount > 0)
        #expect(view.estimatedTokens <= budget.available)
        #expect(view.notice?.contains("oldest messages") == true)
    }
}
