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
