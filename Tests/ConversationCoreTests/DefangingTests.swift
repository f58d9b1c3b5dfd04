import ConversationCore
import Testing

@Suite("Defanged indicators: shown defanged, recognised when pasted defanged")
struct DefangingTests {
    @Test func aDefangedReportPastedInIsRecognisedAsIndicators() {
        let report = """
            C2: hxxps://evil[.]example/gate.php and hXXp://45.155.205[.]17/x.sh
            Beacon to 203.0.113[.]45 and 198(.)51(.)100(.)7, mail from bob[at]evil[dot]example,
            dropper at fxp://files{.}evil[.]example/a.bin, backup host 2001[:]db8::5
            """
        let found = Set(IndicatorExtractor.indicators(in: report).map { "\($0.kind.rawValue) \($0.value)" })
        for expected in [
            "url https://evil.example/gate.php", "url http://45.155.205.17/x.sh", "ipv4 203.0.113.45",
            "ipv4 198.51.100.7", "email bob@evil.example", "url ftp://files.evil.example/a.bin", "ipv6 2001:db8::5",
        ] {
            #expect(found.contains(expected), "\(expected) not recognised in \(found.sorted())")
        }
    }

    @Test func indicatorsAreDefangedAsAnalystsWriteThem() {
        #expect(Defanging.defanged(Indicator(kind: .ipv4, value: "203.0.113.45")) == "203.0.113[.]45")
        #expect(Defanging.defanged(Indicator(kind: .url, value: "https://evil.example")) == "hxxps://evil[.]example")
        #expect(Defanging.defanged(Indicator(kind: .url, value: "http://user@www.evil.example:8080/a.b?c=d.e"))
            == "hxxp://user@www.evil[.]example:8080/a.b?c=d.e")
        #expect(Defanging.defanged(Indicator(kind: .domain, value: "cdn.evil.example")) == "cdn.evil[.]example")
        #expect(Defanging.defanged(Indicator(kind: .email, value: "bob@evil.example")) == "bob[@]evil[.]example")
        #expect(Defanging.defanged(Indicator(kind: .cidr, value: "45.155.205.0/24")) == "45.155.205[.]0/24")
        #expect(Defanging.defanged(Indicator(kind: .sha1, value: "da39a3ee5e6b4b0d3255bfef95601890afd80709"))
            == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
    }

    @Test(arguments: [
        Indicator(kind: .ipv4, value: "203.0.113.45"), Indicator(kind: .ipv6, value: "2001:db8::5"),
        Indicator(kind: .cidr, value: "45.155.205.0/24"), Indicator(kind: .domain, value: "cdn.evil.example"),
        Indicator(kind: .url, value: "https://evil.example/x.sh"), Indicator(kind: .url, value: "ftp://files.evil.example/a"),
        Indicator(kind: .email, value: "bob@evil.example"),
    ])
    func whatIsShownDefangedIsReadBackAsTheSameIndicator(_ indicator: Indicator) {
        let shown = Defanging.defanged(indicator)
        #expect(shown != indicator.value)
        #expect(IndicatorExtractor.indicators(in: "seen: \(shown) today") == [indicator])
    }
}

@Suite("ATT&CK technique IDs checked against the offline table")
struct AttackCatalogTests {
    @Test func aRealTechniqueHasItsNameAndTactics() throws {
        let technique = try #require(AttackCatalog.technique("T1059.001"))
        #expect(technique.name == "Command and Scripting Interpreter: PowerShell")
        #expect(technique.tactics == ["Execution"])
        #expect(technique.url == "https://attack.mitre.org/techniques/T1059/001/")
        #expect(AttackCatalog.technique("t1566")?.name == "Phishing")
        #expect(AttackCatalog.technique("T1078")?.tactics.contains("Initial Access") == true)
    }

    @Test func anInventedTechniqueIsUnknown() {
        #expect(AttackCatalog.technique("T9999") == nil)
        #expect(AttackCatalog.technique("T1059.999") == nil)
        #expect(AttackCatalog.techniques.count > 400)
    }
}
