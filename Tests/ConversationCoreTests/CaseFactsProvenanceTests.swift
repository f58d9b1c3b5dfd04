import ConversationCore
import Testing

@Suite("Case facts are the analyst's facts")
struct CaseFactsProvenanceTests {
    static let budget = ContextBudget(contextWindow: 900, reservedForAnswer: 100)
    static let filler = String(repeating: "routine proxy traffic to update servers and CDNs ", count: 30)

    /// Three questions about 203.0.113.45 whose answers invent neighbouring addresses, then enough
    /// talk to push them out of the window.
    static func investigation() -> Conversation {
        var conversation = Conversation(systemPrompt: "You are terse.")
        conversation.appendUser("What is 203.0.113.45 doing?")
        conversation.appendAssistant("It talks to 203.0.1.45 and 192.168.1.1.")
        conversation.appendUser("Is 203.0.113.45 known bad?")
        conversation.appendAssistant("Likely, as is 192.168.1.11.")
        for turn in 1...4 {
            conversation.appendUser("Turn \(turn): " + filler)
            conversation.appendAssistant("Nothing new.")
        }
        conversation.appendUser("What IP were we discussing?")
        return conversation
    }

    @Test func modelOnlyIndicatorsAreAbsentFromTruncatedRequests() throws {
        let conversation = Self.investigation()
        let view = try conversation.makeView(budget: Self.budget, estimator: TokenEstimator())
        #expect(view.sentMessageIDs.lowerBound > 3)  // the first exchanges were dropped
        #expect(view.system.contains("203.0.113.45"))
        for invented in ["203.0.1.45", "192.168.1.1", "192.168.1.11"] {
            #expect(!view.system.contains(invented), "\(invented) was carried")
            #expect(!view.messages.contains { $0.text.contains(invented) })
        }
    }

    @Test func aModelIndicatorTheAnalystRepeatsIsCarried() throws {
        var conversation = Self.investigation()
        conversation.appendAssistant("Ok.")
        conversation.appendUser("Check 203.0.1.45 too.")
        for turn in 5...8 {
            conversation.appendAssistant("Nothing new.")
            conversation.appendUser("Turn \(turn): " + Self.filler)
        }
        let view = try conversation.makeView(budget: Self.budget, estimator: TokenEstimator())
        #expect(view.system.contains("203.0.1.45"))
        #expect(!view.system.contains("192.168.1.11"))
    }

    @Test func provenanceSaysWhoMentionedEachFactFirst() {
        var conversation = Conversation(systemPrompt: "s")
        conversation.appendUser("host: WS-042")
        conversation.appendAssistant("It beacons to 198.51.100.7.")
        conversation.appendUser("Log:\nsrc=10.0.0.5 dst=198.51.100.7")
        let facts = conversation.facts
        let labels = Dictionary(uniqueKeysWithValues: facts.indicators.indices.map { (facts.indicators[$0].value, facts.provenance[$0].label) })
        #expect(labels["WS-042"] == "typed #1")
        #expect(labels["198.51.100.7"] == "pasted #3")  // the model said it first; the analyst's paste confirms it
        #expect(labels["10.0.0.5"] == "pasted #3")
        #expect(facts.provenance[facts.indicators.firstIndex { $0.value == "198.51.100.7" }!].firstSource == .model)
    }

    @Test func theListingPutsModelOnlyIndicatorsApartAndFiltersByKind() {
        let facts = Self.investigation().facts
        let listing = facts.listing
        let analyst = try? #require(listing.firstRange(of: "Indicators from the analyst"))
        let model = try? #require(listing.firstRange(of: "Mentioned only by the model"))
        #expect(analyst != nil && model != nil)
        if let analyst, let model {
            #expect(listing[analyst.upperBound..<model.lowerBound].contains("203.0.113.45 (typed #1)"))
            #expect(listing[model.upperBound...].contains("203.0.1.45 (model #2)"))
            #expect(!listing[model.upperBound...].contains("203.0.113.45"))
        }
        let onlyHosts = facts.listing(kinds: [.host], carried: nil)
        #expect(!onlyHosts.contains("203.0.113.45"))
        #expect(onlyHosts.contains("none"))
    }

    @Test func typedIndicatorsRankAbovePastedLogRepeatsWhenTheBlockMustOmit() throws {
        var conversation = Conversation(systemPrompt: "s")
        conversation.appendUser("The dropper's MD5 is 44d88612fea8a8f36de82e1278abb02f.")
        conversation.appendAssistant("Noted.")
        for batch in 0..<6 {
            let lines = (0..<14).map { "GET /wp-content/uploads/shell\(batch)_\($0).php 200" }
            conversation.appendUser("More web logs:\n" + lines.joined(separator: "\n"))
            conversation.appendAssistant("Web shells.")
        }
        for turn in 1...3 {
            conversation.appendUser("Turn \(turn): " + Self.filler)
            conversation.appendAssistant("Nothing new.")
        }
        conversation.appendUser("Which hash did I give you?")
        let view = try conversation.makeView(budget: ContextBudget(contextWindow: 1400, reservedForAnswer: 100), estimator: TokenEstimator())
        #expect(view.notice?.contains("older case facts left out") == true)
        #expect(view.system.contains("44d88612fea8a8f36de82e1278abb02f"))
    }

    @Test func incidentNotesSayWhereEachFactCameFrom() {
        var conversation = Self.investigation()
        conversation.pin("legal hold")
        let lines = conversation.facts.summaryLines
        #expect(lines.first == "Pinned: legal hold")
        #expect(lines.contains { $0.hasPrefix("IPv4: 203.0.113.45 (typed #1)") })
        #expect(lines.contains { $0.hasPrefix("Mentioned only by the model (unverified) IPv4: 203.0.1.45 (model #2)") })
    }
}
