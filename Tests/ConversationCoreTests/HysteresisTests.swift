import ConversationCore
import Testing

@Suite("Truncation with hysteresis")
struct HysteresisTests {
    static let budget = ContextBudget(contextWindow: 2_500, reservedForAnswer: 200)

    /// One exchange of about 100 tokens (the raw estimate is about four letters per token).
    static func exchange(_ index: Int) -> (String, String) {
        ("question \(index): " + String(repeating: "beacon host ", count: 15),
         "answer \(index): " + String(repeating: "lateral movement ", count: 15))
    }

    @Test func theCutStaysPutUntilTheViewNoLongerFitsThenDropsToTheLowWaterMark() throws {
        var conversation = Conversation(systemPrompt: "You are terse.")
        let estimator = TokenEstimator()
        var cuts: [Int] = []
        var events = 0
        for index in 0..<60 {
            let (question, answer) = Self.exchange(index)
            conversation.appendUser(question)
            let view = try conversation.advanceView(budget: Self.budget, estimator: estimator)
            if !view.extendsPreviousPrefix { events += 1 }
            if view.droppedMessageCount > 0, !view.extendsPreviousPrefix {
                // Right after a truncation event the view is at most the low-water mark (plus one exchange).
                #expect(view.estimatedTokens <= Self.budget.lowWaterMark + 120, "turn \(index)")
            }
            cuts.append(view.sentMessageIDs.lowerBound)
            conversation.appendAssistant(answer)
        }
        // The cut never moves backwards, and it moves only a few times.
        #expect(zip(cuts, cuts.dropFirst()).allSatisfy { $0 <= $1 })
        let moves = zip(cuts, cuts.dropFirst()).filter { $0 != $1 }.count
        // Budget ≈ 2,175 tokens, low water (60%) ≈ 1,305: about eight ~105-token exchanges between events.
        #expect(moves >= 3 && moves <= 7, "the cut moved \(moves) times")
        #expect(events == moves + 1, "events \(events), moves \(moves)")
    }

    @Test(arguments: [1, 3, 8])
    func lastNKeepsAtLeastNExchangesAndItsCutStaysPutForSeveralTurns(keep: Int) throws {
        var conversation = Conversation(systemPrompt: "You are terse.", strategy: .lastN(keep))
        let roomy = ContextBudget(contextWindow: 200_000, reservedForAnswer: 1_000)
        let ceiling = TruncationStrategy.lastNCeiling(keep: keep)
        var events = 0
        var previousCut = 0
        for index in 0..<40 {
            let (question, answer) = Self.exchange(index)
            conversation.appendUser(question)
            let view = try conversation.advanceView(budget: roomy, estimator: TokenEstimator())
            // Exchanges sent, the newest (unanswered) one included.
            let sent = view.messages.filter { $0.role == .user }.count
            #expect(sent >= min(keep, index + 1), "turn \(index): \(sent) exchanges sent")
            #expect(sent <= ceiling, "turn \(index): \(sent) exchanges sent")
            if view.extendsPreviousPrefix {
                #expect(view.sentMessageIDs.lowerBound == previousCut, "turn \(index)")
            } else {
                events += 1
                if index >= keep { #expect(sent == keep, "turn \(index): a cut keeps exactly the last \(keep)") }
            }
            #expect(view.sentMessageIDs.lowerBound >= previousCut)
            previousCut = view.sentMessageIDs.lowerBound
            conversation.appendAssistant(answer)
        }
        // One event to start, then one each time the window grows past the ceiling.
        let expected = 1 + (40 - ceiling - 1) / (ceiling - keep + 1) + 1
        #expect(events <= expected, "events \(events), at most \(expected)")
        #expect(events < 40 / 2, "events \(events): the cut moved nearly every turn")
    }

    @Test func aLowWaterMarkOfOneGivesTheNaiveLongestSuffixEveryTurn() throws {
        var conversation = Conversation(systemPrompt: "You are terse.")
        var naive = Self.budget
        naive.lowWaterFraction = 1
        var moves = 0
        var last = 0
        for index in 0..<60 {
            let (question, answer) = Self.exchange(index)
            conversation.appendUser(question)
            let view = try conversation.makeView(budget: naive, estimator: TokenEstimator())
            if view.sentMessageIDs.lowerBound != last { moves += 1 }
            last = view.sentMessageIDs.lowerBound
            conversation.appendAssistant(answer)
        }
        #expect(moves > 30, "the naive view moved its cut \(moves) times")
    }

    @Test func theFactsBlockIsFrozenBetweenEvents() throws {
        var conversation = Conversation(systemPrompt: "You are terse.")
        let estimator = TokenEstimator()
        conversation.appendUser("first sighting of 203.0.113.7 on host: WS-011 " + String(repeating: "filler ", count: 300))
        conversation.appendAssistant("noted")
        var systems: [String] = []
        var extending: [Bool] = []
        for index in 0..<40 {
            let (question, answer) = Self.exchange(index)
            // Re-mentioning the indicator in a kept message must not rewrite the system text.
            conversation.appendUser(index % 3 == 0 ? question + " again 203.0.113.7" : question)
            let view = try conversation.advanceView(budget: Self.budget, estimator: estimator)
            systems.append(view.system)
            extending.append(view.extendsPreviousPrefix)
            conversation.appendAssistant(answer)
        }
        for index in 1..<systems.count where extending[index] {
            #expect(systems[index] == systems[index - 1], "turn \(index)")
        }
        #expect(extending.filter { $0 }.count >= 30)
    }

    @Test func aPinIsATruncationEventThatKeepsTheCut() throws {
        var conversation = Conversation(systemPrompt: "You are terse.")
        let estimator = TokenEstimator()
        for index in 0..<30 {
            let (question, answer) = Self.exchange(index)
            conversation.appendUser(question)
            try conversation.advanceView(budget: Self.budget, estimator: estimator)
            conversation.appendAssistant(answer)
        }
        conversation.appendUser("next")
        let before = try conversation.advanceView(budget: Self.budget, estimator: estimator)
        conversation.appendAssistant("ok")
        conversation.pin("Scope: finance VLAN only")
        conversation.appendUser("and now?")
        let after = try conversation.advanceView(budget: Self.budget, estimator: estimator)
        #expect(!after.extendsPreviousPrefix)
        #expect(after.system.contains("Scope: finance VLAN only"))
        #expect(after.sentMessageIDs.lowerBound == before.sentMessageIDs.lowerBound)
    }

    @Test func theWindowSurvivesCodable() throws {
        var conversation = Conversation(systemPrompt: "You are terse.")
        for index in 0..<30 {
            let (question, answer) = Self.exchange(index)
            conversation.appendUser(question)
            try conversation.advanceView(budget: Self.budget, estimator: TokenEstimator())
            conversation.appendAssistant(answer)
        }
        let decoded = try JSONRoundTrip.roundTrip(conversation)
        #expect(decoded == conversation)
        #expect(decoded.window != nil)
    }
}
