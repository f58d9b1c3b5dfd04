import FoundationEssentials
import ConversationCore
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

@Suite("/facts and what requests carry")
struct FactsCommandTests {
    static let filler = String(repeating: "routine proxy traffic to update servers and CDNs ", count: 14)

    static func run() async throws -> SessionHarness.Run {
        // Usage as a real tokenizer would report it (about 4 bytes a token), so the estimator
        // does not learn that the loopback's requests are cheap.
        func answer(_ text: String) -> LoopbackServer.Handler {
            { request in .stream(.openai, deltas: [text], usage: TokenUsage(input: request.body.count / 4, output: 10)) }
        }
        let answers = ScriptedHandler(
            steps: [answer("It talks to 203.0.1.45 and 192.168.1.1."), answer("Likely, as is 192.168.1.11.")],
            then: answer("Nothing new."))
        let server = try LoopbackServer(handler: answers.handler)
        defer { server.stop() }
        return try await SessionHarness.run(
            .openai,
            lines: ["What is 203.0.113.45 doing? host: WS-042", "Is 203.0.113.45 known bad?"]
                + (1...4).map { "Turn \($0): \(filler)" }
                + ["What IP were we discussing?", "/facts", "/facts ip", "/facts bogus"],
            server: server, contextWindow: 900, maxTokens: 100)
    }

    @Test func modelOnlyIndicatorsAreAbsentFromTruncatedRequestsAndListedApart() async throws {
        let run = try await Self.run()
        #expect(run.session.failedTurns == 0)
        let last = try #require(run.requests.last)
        let body = last.bodyText
        #expect(body.contains("203.0.113.45"))  // the analyst's, carried as a case fact
        #expect(!body.contains("What is 203.0.113.45 doing"))  // ...because its message was dropped
        for invented in ["203.0.1.45", "192.168.1.1", "192.168.1.11"] {
            #expect(!body.contains(invented), "\(invented) was sent")
        }

        let facts = try #require(run.stdout.components(separatedBy: "You: /facts\n").last)
        let full = try #require(facts.components(separatedBy: "You: /facts ip\n").first)
        #expect(full.contains("Indicators from the analyst"))
        #expect(full.contains("203.0.113.45 (typed #1) [sent]"))
        #expect(full.contains("WS-042 (typed #1) [sent]"))
        let modelPart = try #require(full.components(separatedBy: "Mentioned only by the model").last)
        #expect(modelPart.contains("203.0.1.45 (model #2)"))
        #expect(modelPart.contains("192.168.1.11 (model #4)"))
        #expect(!modelPart.contains("[sent]"))

        let ipOnly = try #require(facts.components(separatedBy: "You: /facts ip\n").last?.components(separatedBy: "You: /facts bogus").first)
        #expect(ipOnly.contains("203.0.113.45"))
        #expect(!ipOnly.contains("WS-042"))
        #expect(!ipOnly.contains("Pinned"))
        #expect(run.stderr.contains("usage: /facts [KIND]"))
    }
}
