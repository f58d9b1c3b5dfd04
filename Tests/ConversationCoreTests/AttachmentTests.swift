import ConversationCore
import Testing

@Suite("A question with evidence attached")
struct AttachmentTests {
    static let evidence = Attachment(label: "auth.log, 120 bytes", text: "Accepted password from 203.0.113.45\nuser=deploy\n")

    @Test func theQuestionComesFirstThenEachFileBetweenItsHeaderAndFooter() {
        let text = Attachment.compose(question: "What happened?", attachments: [Self.evidence])
        #expect(text == """
            What happened?

            ----- attached file: auth.log, 120 bytes -----
            Accepted password from 203.0.113.45
            user=deploy
            ----- end of attached file -----
            """)
        #expect(Attachment(label: "a\nb", text: "").label == "a b")
    }

    @Test func indicatorsInTheFileAreEvidenceAndInTheQuestionTyped() throws {
        var conversation = Conversation(systemPrompt: "Be brief.")
        conversation.appendUser("Is 198.51.100.7 involved, and 203.0.113.45?", attachments: [Self.evidence])
        let facts = conversation.facts
        func provenance(_ value: String) throws -> FactProvenance {
            try #require(facts.indicators.firstIndex { $0.value == value }.map { facts.provenance[$0] })
        }
        #expect(try provenance("198.51.100.7").wasTyped && !provenance("198.51.100.7").wasInEvidence)
        #expect(try provenance("203.0.113.45").wasTyped && provenance("203.0.113.45").wasInEvidence)
        #expect(try provenance("deploy").label == "evidence #1")
        #expect(facts.indicators.filter { $0.value == "203.0.113.45" }.count == 1)
    }

    @Test func aDraftCostsWhatTheRealMessageCosts() throws {
        var conversation = Conversation(systemPrompt: "Be brief.")
        conversation.appendUser("earlier question about 192.0.2.1")
        conversation.appendAssistant("earlier answer")
        let budget = ContextBudget(contextWindow: 4096, reservedForAnswer: 256)
        let estimator = TokenEstimator()
        let draft = conversation.draft(appendingUser: Attachment.compose(question: "Now?", attachments: [Self.evidence]))
        var real = conversation
        real.appendUser("Now?", attachments: [Self.evidence])
        #expect(try draft.makeView(budget: budget, estimator: estimator).estimatedTokens
            == real.makeView(budget: budget, estimator: estimator).estimatedTokens)
        #expect(draft.messages.last?.text == real.messages.last?.text)
        #expect(draft.facts.indicators.count < real.facts.indicators.count)  // the draft never scanned it
    }
}
