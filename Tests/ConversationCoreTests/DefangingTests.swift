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

@Suite("ATT&CK technique IDs checked against the offline table (Enterprise v18.1)")
struct AttackCatalogTests {
    @Test func aRealTechniqueHasItsNameAndTactics() throws {
        let technique = try #require(AttackCatalog.technique("T1059.001"))
        #expect(technique.name == "Command and Scripting Interpreter: PowerShell")
        #expect(technique.tactics == ["Execution"])
        #expect(technique.url == "https://attack.mitre.org/techniques/T1059/001/")
        #expect(AttackCatalog.technique("t1566")?.name == "Phishing")
        #expect(AttackCatalog.technique("T1078")?.tactics
            == ["Initial Access", "Persistence", "Privilege Escalation", "Defense Evasion"])
        #expect(AttackCatalog.technique("T1003.008")?.name == "OS Credential Dumping: /etc/passwd and /etc/shadow")
        #expect(AttackCatalog.technique("T1055.013")?.name == "Process Injection: Process Doppelgänging")
    }

    @Test func namesAreThoseOfV18Point1NotOlderOnes() {
        #expect(AttackCatalog.version == "18.1")
        #expect(AttackCatalog.technique("T1219")?.name == "Remote Access Tools")
        #expect(AttackCatalog.technique("T1176")?.name == "Software Extensions")
        #expect(AttackCatalog.technique("T1574.001")?.name == "Hijack Execution Flow: DLL")
        #expect(AttackCatalog.technique("T1036.005")?.name
            == "Masquerading: Match Legitimate Resource Name or Location")
        #expect(AttackCatalog.technique("T1552.003")?.name == "Unsecured Credentials: Shell History")
        #expect(AttackCatalog.technique("T1112")?.tactics == ["Persistence", "Defense Evasion"])
    }

    @Test func theTableHoldsEveryCurrentEnterpriseTechnique() {
        let techniques = AttackCatalog.techniques.values
        let tactics: Set = [
            "Reconnaissance", "Resource Development", "Initial Access", "Execution", "Persistence",
            "Privilege Escalation", "Defense Evasion", "Credential Access", "Discovery", "Lateral Movement",
            "Collection", "Command and Control", "Exfiltration", "Impact",
        ]
        #expect((680...700).contains(techniques.count))  // 216 techniques and 475 sub-techniques in v18.1
        #expect(techniques.filter { !$0.id.contains(".") }.count == 216)
        for technique in techniques {
            #expect(!technique.tactics.isEmpty && technique.tactics.allSatisfy(tactics.contains), "\(technique.id)")
            if let dot = technique.id.firstIndex(of: ".") {
                let parent = AttackCatalog.technique(String(technique.id[..<dot]))
                #expect(parent.map { technique.name.hasPrefix($0.name + ": ") } == true, "\(technique.id)")
            }
        }
    }

    @Test func anInventedTechniqueIsUnknown() {
        #expect(AttackCatalog.technique("T9999") == nil)
        #expect(AttackCatalog.technique("T1059.999") == nil)
        #expect(AttackCatalog.retired("T9999") == nil)
        #expect(AttackCatalog.retired("T1059.001") == nil)
    }

    @Test func aRevokedTechniqueLeadsToTheCurrentOneThatReplacedIt() throws {
        #expect(AttackCatalog.technique("T1086") == nil)
        let powerShell = try #require(AttackCatalog.retired("t1086"))
        #expect(powerShell.name == "PowerShell")
        #expect(powerShell.replacement?.id == "T1059.001")
        #expect(powerShell.status == "revoked by ATT&CK; now T1059.001 Command and Scripting Interpreter: PowerShell")
        // Revoked in v18: DLL Side-Loading folded into T1574.001; T1073 pointed at it, and now at its successor.
        #expect(AttackCatalog.technique("T1574.002") == nil)
        #expect(AttackCatalog.retired("T1574.002")?.name == "Hijack Execution Flow: DLL Side-Loading")
        #expect(AttackCatalog.retired("T1574.002")?.replacement?.id == "T1574.001")
        #expect(AttackCatalog.retired("T1073")?.replacement?.id == "T1574.001")
    }

    @Test func aDeprecatedTechniqueHasNoReplacement() throws {
        let scripting = try #require(AttackCatalog.retired("T1064"))
        #expect(scripting.name == "Scripting")
        #expect(scripting.replacement == nil)
        #expect(scripting.status == "deprecated by ATT&CK; no replacement")
        #expect(AttackCatalog.technique("T1064") == nil)
    }

    @Test func retiredIDsAreApartFromCurrentOnes() {
        let retired = AttackCatalog.retiredTechniques.values
        #expect(retired.count == 144)  // v18.1: 132 revoked, 12 deprecated
        #expect(retired.filter { $0.replacement == nil }.count == 12)
        #expect(retired.allSatisfy { AttackCatalog.technique($0.id) == nil })
    }
}
