import ConversationCore
import Testing

@Suite("Conversation")
struct ConversationTests {
    private let filler = String(repeating: "The analyst and the assistant discuss the timeline in detail. ", count: 8)

    private func threeTurnsAbout(_ address: String) -> Conversation {
        var conversation = Conversation(systemPrompt: "You help a security analyst.")
        conversation.appendUser("We see beacons to \(address) from several hosts. " + filler)
        conversation.appendAssistant("Block it at the perimeter and pull netflow. " + filler)
        conversation.appendUser("Netflow shows large uploads. " + filler)
        conversation.appendAssistant("That suggests exfiltration. " + filler)
        conversation.appendUser("What should we do next? " + filler)
        return conversation
    }

    @Test func everythingIsSentWhenItFits() throws {
        let conversation = threeTurnsAbout("203.0.113.45")
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 100_000, reservedForAnswer: 1_000), estimator: TokenEstimator())
        #expect(view.messages.map(\.id) == [0, 1, 2, 3, 4])
        #expect(view.notice == nil)
        #expect(view.system == conversation.systemPrompt)
        #expect(view.droppedMessageCount == 0)
    }

    @Test func factsFromDroppedTurnsSurviveInTheSystemText() throws {
        let conversation = threeTurnsAbout("203.0.113.45")
        let estimator = TokenEstimator()
        let full = try conversation.makeView(
            budget: ContextBudget(contextWindow: 100_000, reservedForAnswer: 0, safetyMargin: 0), estimator: estimator)
        // Small enough that the first exchange cannot be sent.
        let budget = ContextBudget(contextWindow: full.estimatedTokens - 20, reservedForAnswer: 0, safetyMargin: 0)
        let view = try conversation.makeView(budget: budget, estimator: estimator)
        #expect(!view.messages.map(\.id).contains(0))
        #expect(view.messages.first?.id == 2)
        #expect(view.system.contains("203.0.113.45"))
        #expect(view.carriedFactCount == 1)
        #expect(view.estimatedTokens <= budget.available)
        let notice = try #require(view.notice)
        #expect(notice.hasPrefix("context: dropped 2 oldest messages ("))
        #expect(notice.contains("1 case fact from them kept in the system prompt"))
    }

    @Test func factsStillMentionedInTheViewAreNotRepeated() throws {
        var conversation = threeTurnsAbout("203.0.113.45")
        conversation.appendAssistant("Isolate the hosts talking to 203.0.113.45. " + filler)
        conversation.appendUser("Done. " + filler)
        let full = try conversation.makeView(
            budget: ContextBudget(contextWindow: 100_000, reservedForAnswer: 0, safetyMargin: 0), estimator: TokenEstimator())
        let budget = ContextBudget(contextWindow: full.estimatedTokens - 20, reservedForAnswer: 0, safetyMargin: 0)
        let view = try conversation.makeView(budget: budget, estimator: TokenEstimator())
        #expect(!view.messages.map(\.id).contains(0))
        #expect(view.messages.contains { $0.text.contains("203.0.113.45") })
        #expect(!view.system.contains("203.0.113.45"))
    }

    @Test func pinsAreAlwaysSentAndCanBeRemoved() throws {
        var conversation = threeTurnsAbout("198.51.100.7")
        conversation.pin("Scope: finance VLAN only")
        conversation.pin("Legal hold on WS-042")
        let budget = ContextBudget(contextWindow: 100_000, reservedForAnswer: 1_000)
        #expect(try conversation.makeView(budget: budget, estimator: TokenEstimator()).system.contains("Scope: finance VLAN only"))
        try conversation.unpin(at: 0)
        #expect(conversation.facts.pins == ["Legal hold on WS-042"])
        let system = try conversation.makeView(budget: budget, estimator: TokenEstimator()).system
        #expect(!system.contains("Scope: finance VLAN only"))
        #expect(system.contains("Legal hold on WS-042"))
        #expect(throws: ConversationError.noSuchPin(index: 5, count: 1)) { try conversation.unpin(at: 5) }
        #expect(conversation.facts.listing.contains("1. Legal hold on WS-042"))  // numbered as /unpin N takes them
    }

    @Test func interruptedAnswersAreSentWithAMarker() throws {
        var conversation = Conversation(systemPrompt: "s")
        conversation.appendUser("Explain the alert")
        conversation.appendAssistant("The alert fires when", status: .interrupted)
        conversation.appendUser("Go on")
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 10_000, reservedForAnswer: 100), estimator: TokenEstimator())
        #expect(view.messages.map(\.role) == [.user, .assistant, .user])
        #expect(view.messages[1].text == "The alert fires when\n\n[answer interrupted]")
        #expect(conversation.messages[1].text == "The alert fires when")
    }

    @Test func anUnansweredMessageIsMergedIntoTheNextOne() throws {
        var conversation = Conversation(systemPrompt: "s")
        conversation.appendUser("First question")
        conversation.appendUser("Retrying: first question, and also check host: WS-042")
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 10_000, reservedForAnswer: 100), estimator: TokenEstimator())
        #expect(view.messages.count == 1)
        #expect(view.messages[0].id == 1)
        #expect(view.messages[0].text == "First question\n\nRetrying: first question, and also check host: WS-042")
        #expect(conversation.messages.count == 2)
    }

    @Test func aMessageThatCannotFitThrowsAndLosesNothing() throws {
        var conversation = Conversation(systemPrompt: "You help a security analyst.")
        conversation.appendUser(String(repeating: "log line with 10.0.0.1 ", count: 2_000))
        let before = conversation
        let budget = ContextBudget(contextWindow: 8_192, reservedForAnswer: 1_024)
        do {
            _ = try conversation.makeView(budget: budget, estimator: TokenEstimator())
            Issue.record("expected contextTooSmall")
        } catch {
            guard case .contextTooSmall(let required, let available) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(available == budget.available)
            #expect(required > available)
            #expect(error.description.contains("\((required - available).formattedForTest) over"))
            #expect(error.description.contains("--context-window"))
            #expect(error.description.contains("/new"))
        }
        #expect(conversation == before)
    }

    @Test func lastNKeepsOnlyTheNewestExchanges() throws {
        var conversation = threeTurnsAbout("203.0.113.45")
        conversation.strategy = .lastN(2)
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 100_000, reservedForAnswer: 1_000), estimator: TokenEstimator())
        #expect(view.messages.map(\.id) == [2, 3, 4])
        #expect(view.notice?.hasPrefix("context: kept at least the last 2 exchanges (up to 4 between cuts); dropped 2 messages") == true)
        #expect(view.system.contains("203.0.113.45"))
    }

    @Test func noticeUsesThousandsSeparators() throws {
        var conversation = Conversation(systemPrompt: "s")
        for turn in 0..<40 {
            conversation.appendUser("question \(turn) " + filler)
            conversation.appendAssistant("answer \(turn) " + filler + filler)
        }
        conversation.appendUser("last")
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 8_192, reservedForAnswer: 1_024), estimator: TokenEstimator())
        let notice = try #require(view.notice)
        #expect(notice.contains("to fit the 6,759-token budget"))
        #expect(view.droppedTokens >= 1_000)
        #expect(notice.contains("(\(view.droppedTokens.formattedForTest) tokens)"))
    }

    @Test func isNearLimitTurnsOnCloseToTheBudget() throws {
        let conversation = threeTurnsAbout("203.0.113.45")
        let estimator = TokenEstimator()
        let roomy = try conversation.makeView(
            budget: ContextBudget(contextWindow: 100_000, reservedForAnswer: 0, safetyMargin: 0), estimator: estimator)
        #expect(!roomy.isNearLimit)
        let tight = try conversation.makeView(
            budget: ContextBudget(contextWindow: roomy.estimatedTokens + 5, reservedForAnswer: 0, safetyMargin: 0),
            estimator: estimator)
        #expect(tight.isNearLimit)
    }

    @Test func overflowMakesTheRebuiltViewSmaller() throws {
        let conversation = threeTurnsAbout("203.0.113.45")
        var estimator = TokenEstimator()
        let budget = ContextBudget(contextWindow: 1_000, reservedForAnswer: 0, safetyMargin: 0)
        let first = try conversation.makeView(budget: budget, estimator: estimator)
        estimator.recordOverflow(sentEstimate: first.estimatedTokens, reportedPromptTokens: first.estimatedTokens * 3 / 2, limit: 1_000)
        let retry = try conversation.makeView(budget: budget, estimator: estimator)
        #expect(retry.messages.count < first.messages.count)
    }

    @Test func tokenBreakdownListsEveryPart() throws {
        var conversation = threeTurnsAbout("203.0.113.45")
        conversation.pin("Pinned fact")
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 8_192, reservedForAnswer: 1_024), estimator: TokenEstimator())
        let breakdown = view.breakdown
        #expect(breakdown.facts > 0)
        #expect(breakdown.system + breakdown.facts + breakdown.summary + breakdown.messages >= breakdown.used)
        #expect(breakdown.used == view.estimatedTokens)
        for label in ["budget:", "used:", "system:", "facts:", "summary:", "messages:"] {
            #expect(breakdown.description.contains(label))
        }
    }

    @Test func codableRoundTripRestoresTheConversationExactly() throws {
        var conversation = threeTurnsAbout("203.0.113.45")
        conversation.pin("pin")
        conversation.strategy = .lastN(3)
        conversation.appendAssistant("partial", status: .interrupted)
        let data = try JSONRoundTrip.roundTrip(conversation)
        #expect(data == conversation)
    }
}

extension Int {
    /// Thousands separators, written independently of the module's own formatter.
    var formattedForTest: String {
        var digits = Array(String(self))
        var index = digits.count - 3
        while index > 0 {
            digits.insert(",", at: index)
            index -= 3
        }
        return String(digits)
    }
}
