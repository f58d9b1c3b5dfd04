import ConversationCore
import Testing

@Suite("IndicatorExtractor")
struct IndicatorExtractorTests {
    private func facts(_ text: String) -> Set<String> {
        Set(IndicatorExtractor.indicators(in: text).map { "\($0.kind.rawValue)=\($0.value)" })
    }

    @Test func findsNetworkIndicators() {
        let found = facts(
            "Beacon from 203.0.113.45:443 to evil-cdn.example.com, then https://evil.example.org/x?id=1 and "
                + "2001:db8::7 plus mail to phish@bad.example.net.")
        #expect(found.contains("ipv4=203.0.113.45"))
        #expect(found.contains("domain=evil-cdn.example.com"))
        #expect(found.contains("url=https://evil.example.org/x?id=1"))
        #expect(found.contains("ipv6=2001:db8::7"))
        #expect(found.contains("email=phish@bad.example.net"))
    }

    @Test func findsHashesCVEsAndTechniques() {
        let found = facts(
            "md5 d41d8cd98f00b204e9800998ecf8427e sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 "
                + "sha256 E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855; "
                + "exploits cve-2021-44228 via T1059.001 and T1190.")
        #expect(found.contains("md5=d41d8cd98f00b204e9800998ecf8427e"))
        #expect(found.contains("sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709"))
        #expect(found.contains("sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
        #expect(found.contains("cve=CVE-2021-44228"))
        #expect(found.contains("attackTechnique=T1059.001"))
        #expect(found.contains("attackTechnique=T1190"))
    }

    @Test func findsLabelledHostsUsersAndPaths() {
        let found = facts(
            "host: WS-042 user=jdoe hostname SRV-DB01 file: invoice.pdf.exe ran /tmp/.x/payload.sh "
                + #"and C:\Users\jdoe\AppData\Roaming\a.dll"#)
        #expect(found.contains("host=WS-042"))
        #expect(found.contains("user=jdoe"))
        #expect(found.contains("host=SRV-DB01"))
        #expect(found.contains("filePath=invoice.pdf.exe"))
        #expect(found.contains("filePath=/tmp/.x/payload.sh"))
        #expect(found.contains(#"filePath=C:\Users\jdoe\AppData\Roaming\a.dll"#))
    }

    @Test func undoesDefanging() {
        let found = facts("Blocked hxxps://bad[.]example[.]com/gate and 198.51.100[.]7")
        #expect(found.contains("url=https://bad.example.com/gate"))
        #expect(found.contains("ipv4=198.51.100.7"))
    }

    @Test func ignoresCommonFalsePositives() {
        let found = facts(
            "Upgrade to 1.2.3 or 10.4.22.1000, e.g. see report.pdf and notes.txt, i.e. Node.js at 10:30:00; "
                + "MAC 00:1a:2b:3c:4d:5e; the user clicked it on the host machine; 999.1.1.1 is not an address.")
        #expect(found.isEmpty, "unexpected: \(found)")
    }

    @Test func reportsEachFactOnceInOrder() {
        let found = IndicatorExtractor.indicators(in: "203.0.113.45 evil.example.com 203.0.113.45")
        #expect(found == [Indicator(kind: .ipv4, value: "203.0.113.45"), Indicator(kind: .domain, value: "evil.example.com")])
    }
}

@Suite("IndicatorExtractor: what analysts actually write")
struct IndicatorExtractorFieldTests {
    private func facts(_ text: String) -> Set<String> {
        Set(IndicatorExtractor.indicators(in: text).map { "\($0.kind.rawValue)=\($0.value)" })
    }

    @Test func findsHashesWrittenAsKeyValuePairsAndInSysmonsHashesField() {
        let found = facts(
            "sha256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 and "
                + "Hashes: SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=44D88612FEA8A8F36DE82E1278ABB02F,"
                + "SHA256=9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08,IMPHASH=F34D5F2D4577ED6D9CEEC516C1F5A744")
        #expect(found == [
            "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "sha1=da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "md5=44d88612fea8a8f36de82e1278abb02f",
            "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        ])
    }

    @Test(arguments: ["paypal-verify.sbs", "login-m365.cfd", "secure-docs.zip", "auth-portal.vip", "mail.contoso.example"])
    func findsDomainsUnderAnyPublicSuffixAndReservedNames(domain: String) {
        #expect(facts("Clicked a link to \(domain) today.") == ["domain=\(domain)"])
        #expect(facts("From: billing@\(domain)") == ["email=billing@\(domain)"])
    }

    @Test func aFileNameIsNotADomain() {
        #expect(facts("opened invoice.zip, report.pdf and clip.mov").isEmpty)
    }

    @Test func keepsACIDRRangeWhole() {
        #expect(facts("Block 45.155.205.0/24 and 203.0.113.45:443") == ["cidr=45.155.205.0/24", "ipv4=203.0.113.45"])
    }

    @Test func findsUnlabelledHostNamesButNotStandardIDs() {
        #expect(facts("WS-042 and DESKTOP-7F3K2LQ talked; SRV-DB01 too") == ["host=WS-042", "host=DESKTOP-7F3K2LQ", "host=SRV-DB01"])
        #expect(facts("SHA-256, AES-256, UTF-8, INC-7, IR-2024-0317, RFC-1918, NTLM-V2 and ERROR-404 are not hosts").isEmpty)
    }

    @Test func anRFC2047EncodedFileNameIsNotAPath() {
        #expect(facts(#"Content-Disposition: attachment; filename="=?UTF-8?B?SW52b2ljZV8yMDI0LnBkZg==?=""#).isEmpty)
        #expect(facts("filename: =?utf-8?Q?Rechnung=5F2024=2Epdf?=").isEmpty)
    }

    @Test func aMessageIDIsNotAnEMailAddress() {
        let headers = """
            From: "IT Support" <it-support@paypal-verify.sbs>
            Message-ID: <CAF8x+abc123def@mail.paypal-verify.sbs>
            In-Reply-To: <20240311.0914.abc@relay.example>
            References: <a1@relay.example> <b2@relay.example>
            Reply-To: refunds@auth-portal.vip
            """
        #expect(facts(headers) == ["email=it-support@paypal-verify.sbs", "email=refunds@auth-portal.vip"])
    }

    @Test func findsIndicatorsAsValuesOfKeyValuePairs() {
        #expect(facts("src=10.0.0.5 dst=198.51.100.7 query=evil-cdn.example.com") ==
            ["ipv4=10.0.0.5", "ipv4=198.51.100.7", "domain=evil-cdn.example.com"])
    }
}
