import ConversationCore
import Testing

@Suite("View speed")
struct ViewSpeedTests {
    static func largeConversation(messages: Int) -> Conversation {
        var conversation = Conversation(systemPrompt: "You help a security analyst.")
        for turn in 0..<(messages / 2) {
            conversation.appendUser("Turn \(turn): beacon from 10.\(turn % 256).\(turn / 256 % 256).7 to host: WS-\(turn)")
            conversation.appendAssistant("Look at the proxy logs for that address and isolate the host if needed.")
        }
        return conversation
    }

    @Test func viewOfTenThousandMessagesIsFast() throws {
        var conversation = Self.largeConversation(messages: 10_000)
        conversation.appendUser("What next?")
        let budget = ContextBudget(contextWindow: 8_192, reservedForAnswer: 1_024)
        let estimator = TokenEstimator()
        _ = try conversation.makeView(budget: budget, estimator: estimator)
        let clock = ContinuousClock()
        let rounds = 20
        let elapsed = try clock.measure {
            for _ in 0..<rounds { _ = try conversation.makeView(budget: budget, estimator: estimator) }
        }
        // 5 ms is the release-build target; this debug-build check only guards against O(history) regressions.
        #expect(elapsed / rounds < .milliseconds(25), "one view took \(elapsed / rounds)")
        print("view of 10,001 messages: \(elapsed / rounds) per build (debug)")
    }
}
