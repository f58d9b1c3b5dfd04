import ConversationCore
import Testing

@Suite("TruncationStrategy")
struct TruncationStrategyTests {
    @Test func parsesCommandLineSpellings() throws {
        #expect(try TruncationStrategy(parsing: "drop-oldest") == .dropOldest)
        #expect(try TruncationStrategy(parsing: "summarize") == .summarise)
        #expect(try TruncationStrategy(parsing: "Summarise") == .summarise)
        #expect(try TruncationStrategy(parsing: "last-n", keepTurns: 3) == .lastN(3))
        #expect(try TruncationStrategy(parsing: "last-n:5") == .lastN(5))
        #expect(try TruncationStrategy(parsing: "last-n") == .lastN(TruncationStrategy.defaultKeepTurns))
    }

    @Test func rejectsNonsenseWithActionableErrors() {
        #expect(throws: ConversationError.unknownStrategy("newest")) { try TruncationStrategy(parsing: "newest") }
        #expect(throws: ConversationError.invalidKeepTurns(0)) { try TruncationStrategy(parsing: "last-n", keepTurns: 0) }
        #expect(throws: ConversationError.keepTurnsNeedsLastN(strategy: "drop-oldest")) {
            try TruncationStrategy(parsing: "drop-oldest", keepTurns: 2)
        }
        #expect(ConversationError.unknownStrategy("x").description.contains("drop-oldest, last-n or summarise"))
    }

    @Test func descriptionRoundTrips() throws {
        for strategy in [TruncationStrategy.dropOldest, .lastN(4), .summarise] {
            #expect(try TruncationStrategy(parsing: strategy.description) == strategy)
        }
    }
}
