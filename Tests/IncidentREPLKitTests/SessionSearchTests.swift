#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
@testable import IncidentREPLKit
import Testing

@Suite("Searching every session")
struct SessionSearchTests {
    /// Sessions as an analyst would leave them: indicators spelled every which way.
    static func makeCases(in directory: TemporaryDirectory) throws -> SessionStore {
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function, utcOffsetSeconds: 0)
        let cases: [(String, [(String, String)])] = [
            ("web01", [
                ("beacon from 203.0.113[.]45 to hxxps://evil[.]example/stage2.sh", "Block 203.0.113.45 at the edge."),
                ("what about 2001:DB8:0:0:0:0:0:1?", "That is a documentation address."),
            ]),
            ("mail02", [
                ("Phish from BOB@EVIL.COM linking HTTPS://EVIL.COM/Login", "Reset the user's password."),
                ("the second wave came from 203.0.113.4", "A neighbour of the first."),
            ]),
            ("dns03", [("lookups of 2001:db8::1 from WS-042", "Check the resolver logs.")]),
            ("empty", []),
        ]
        for (name, turns) in cases {
            let journal = try store.create(named: name, start: sampleStart)
            for (question, answer) in turns {
                try journal.recordQuestion(question)
                try journal.recordAnswer(answer, status: .complete)
            }
        }
        return store
    }

    static func hits(_ term: String, _ store: SessionStore) throws -> [String] {
        try SessionSearch(store: store).search(term).hits.map { "\($0.session)#\($0.turn) \($0.role)" }
    }

    @Test(arguments: ["203.0.113.45", "203.0.113[.]45", "203[.]0[.]113[.]45", " 203.0.113.45 "])
    func anIPv4AddressIsFoundInAnySpellingAndNoNeighbour(term: String) throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits(term, store) == ["web01#1 analyst", "web01#1 assistant"])
    }

    @Test(arguments: ["2001:db8::1", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8:0:0::1"])
    func anIPv6AddressIsFoundCompressedOrExpanded(term: String) throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits(term, store) == ["web01#2 analyst", "dns03#1 analyst"])
    }

    @Test(arguments: ["hxxps://evil[.]example/stage2.sh", "HTTPS://EVIL.EXAMPLE/stage2.sh", "https://evil.example/stage2.sh"])
    func aDefangedOrUpperCaseURLIsFound(term: String) throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits(term, store) == ["web01#1 analyst"])
    }

    @Test(arguments: ["evil.com", "EVIL[.]COM", "evil(.)com"])
    func aDomainFindsTheAddressesAndURLsOnIt(term: String) throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits(term, store) == ["mail02#1 analyst"])
        let query = SessionSearch.query(for: term)
        #expect(query == .indicator(key: "domain:evil.com", kind: .domain, value: "evil.com"))
    }

    @Test
    func anEmailAddressMatchesWhateverItsCase() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits("bob[@]evil[.]com", store) == ["mail02#1 analyst"])
    }

    @Test
    func aHitCarriesSessionTurnTimeAndTheLine() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        let result = try SessionSearch(store: store).search("203.0.113.4")
        let hit = try #require(result.hits.first)
        #expect(result.hits.count == 1)
        #expect(hit.session == "mail02")
        #expect(hit.turn == 2)
        #expect(hit.line == "the second wave came from 203.0.113.4")
        #expect(hit.displayLine(utcOffsetSeconds: 0).hasSuffix("mail02  turn 2  analyst: the second wave came from 203.0.113.4"))
        #expect(result.sessionsSearched == 4)
    }

    @Test
    func textIsFoundIgnoringCase() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(try Self.hits("RESOLVER LOGS", store) == ["dns03#1 assistant"])
        #expect(try Self.hits("no such words", store).isEmpty)
    }

    @Test
    func aHostileLineIsShownInert() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let journal = try store.create(named: "hostile", start: sampleStart)
        try journal.recordQuestion("203.0.113.9 \u{1B}]52;c;ZXZpbA==\u{07} \u{202E}exe.txt")
        let line = try #require(try SessionSearch(store: store).search("203.0.113.9").hits.first).displayLine()
        #expect(!line.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" || $0 == "\u{202E}" })
        #expect(line.contains("^[]52;c;ZXZpbA=="))
    }

    @Test
    func aSessionThatGrewIsReindexedAndOneThatDidNotIsNot() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        let search = SessionSearch(store: store)
        #expect(try search.search("198.51.100.7").sessionsIndexed == 4)
        #expect(try search.search("198.51.100.7").sessionsIndexed == 0)
        let (_, journal) = try store.resume("dns03")
        try journal.recordQuestion("now 198.51.100[.]7 too")
        let result = try search.search("198.51.100.7")
        #expect(result.sessionsIndexed == 1)
        #expect(result.hits.map(\.session) == ["dns03"])
        #expect(permissions(of: search.indexDirectory) == 0o700)
        #expect(permissions(of: search.indexDirectory + "/dns03.idx") == 0o600)
    }

    @Test
    func aGeneratedCaseFileFindsEveryIndicatorInItsOwnSessionAsItGrows() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        func addSessions(_ range: Range<Int>) throws {
            for number in range {
                let journal = try store.create(named: "gen-\(number)", start: sampleStart)
                for turn in 0..<5 {
                    try journal.recordQuestion("host 10.0.\(number).\(turn) called c2-\(number).example.com")
                    try journal.recordAnswer("isolate 10.0.\(number).\(turn)", status: .complete)
                }
            }
        }
        let search = SessionSearch(store: store)
        try addSessions(0..<30)
        for number in [0, 7, 29] {
            let hits = try search.search("10.0.\(number).3").hits
            #expect(hits.map(\.session) == ["gen-\(number)", "gen-\(number)"])
            #expect(hits.map(\.turn) == [4, 4])
            #expect(hits.map(\.role) == ["analyst", "assistant"])
            #expect(hits.first?.line == "host 10.0.\(number).3 called c2-\(number).example.com")
        }
        #expect(try search.search("c2-12.example.com").hits.count == 5)
        #expect(try search.search("10.0.30.0").hits.isEmpty)
        // A few new sessions are read from their own indexes; many make the combined one rewritten.
        try addSessions(30..<33)
        #expect(try search.search("10.0.31.0").hits.map(\.session) == ["gen-31", "gen-31"])
        try addSessions(33..<60)
        let result = try search.search("10.0.50.1")
        #expect(result.hits.map(\.session) == ["gen-50", "gen-50"])
        #expect(try search.search("10.0.7.4").hits.map(\.session) == ["gen-7", "gen-7"])
        #expect(try search.search("10.0.7.4").sessionsIndexed == 0)
    }

    @Test
    func anAnswerCutShortByAKillIsSearchedToo() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let journal = try store.create(named: "killed", start: sampleStart)
        try journal.recordQuestion("what now?")
        try journal.recordAnswerDelta("first block ")
        try journal.recordAnswerDelta("192.0.2.77\nthen wait")
        let hits = try SessionSearch(store: store).search("192.0.2.77").hits
        #expect(hits.map(\.line) == ["first block 192.0.2.77"])
        #expect(hits.map(\.role) == ["assistant"])
    }

    @Test
    func sessionsListTheirFirstQuestionTimeSpanAndIndicatorCount() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        let overviews = try SessionSearch(store: store).overviews()
        let web = try #require(overviews.first { $0.name == "web01" })
        #expect(web.messageCount == 4)
        // 203.0.113.45, the URL and its host, 2001:db8::1.
        #expect(web.indicatorCount == 4)
        #expect(web.firstQuestion?.hasPrefix("beacon from 203.0.113[.]45 to hxxps://evil[.]example") == true)
        #expect(web.displayLine(utcOffsetSeconds: 0).contains(" → "))
        #expect(web.displayLine(utcOffsetSeconds: 0).contains("4 messages, 4 indicators"))
        let report = CaseFileCommands.sessions(store: store, utcOffsetSeconds: 0)
        #expect(report.output.count == 3)  // the empty session is counted, not listed
        #expect(report.errors == ["(1 session without messages not listed)"])
        #expect(report.output.first?.contains("dns03") == true)  // most recent first
    }

    @Test
    func searchReportsExitOneWithoutHits() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        #expect(CaseFileCommands.search("203.0.113.45", store: store).status == 0)
        #expect(CaseFileCommands.search("192.0.2.200", store: store).status == 1)
    }

    @Test
    func verifyExitsNonZeroOnABrokenChainAndNamesTheLine() throws {
        let directory = TemporaryDirectory()
        let store = try Self.makeCases(in: directory)
        let intact = CaseFileCommands.verify("web01", store: store)
        #expect(intact.status == 0)
        #expect(intact.output.first == "session web01: hash chain intact (5 lines)")
        #expect(intact.output.contains { $0.hasPrefix("final chain hash: sha256:") })
        let path = store.path(for: "web01")
        var lines = String(decoding: try fileBytes(path), as: UTF8.self).split(separator: "\n").map(String.init)
        lines[2] = lines[2].replacing("Block", with: "Allow")
        writeFile(path, Array((lines.joined(separator: "\n") + "\n").utf8))
        let broken = CaseFileCommands.verify("web01", store: store)
        #expect(broken.status == 1)
        #expect(broken.output.first?.hasPrefix("session web01: hash chain broken at line 3: the line was changed") == true)
        #expect(CaseFileCommands.verify("nope", store: store).status == 2)
    }

    @Test(arguments: [
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("0:0:0:0:0:0:0:1", "::1"), ("fe80::", "fe80::"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"), ("2001:0DB8::0001", "2001:db8::1"),
    ])
    func ipv6IsWrittenInItsCanonicalForm(input: String, expected: String) {
        #expect(IndicatorKey.canonicalIPv6(input) == expected)
    }
}
