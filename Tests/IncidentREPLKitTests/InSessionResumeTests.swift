import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// `/resume` inside a running session with redaction on sends the resumed case, never the previous one.
@Suite("In-session /resume sends only the resumed case")
struct InSessionResumeTests {
    @Test func afterResumeTheRequestCarriesOnlyCaseB() async throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path)
        do {  // case B was worked on earlier, and its journal closed (one process writes a journal at a time)
            let caseB = try store.create(named: "caseb", start: sampleStart)
            try caseB.recordQuestion("case B: WS-042 is beaconing to 198.51.100.7")
            try caseB.recordAnswer("Isolate WS-042.", status: .complete)
            await caseB.waitUntilDurable()
        }

        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Noted."]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(
            .openai,
            lines: [
                "case C: first question about 203.0.113.45",
                "case C: second question, token=Zx81kQp0LmN3vB7wEr5T",
                "/resume caseb",
                "What host were we discussing?",
            ],
            server: server
        ) { session in
            session.outbound = OutboundFilter(mode: .on)
            session.sessions = store
            session.journal = try? store.create(named: "casec", start: sampleStart)
        }

        #expect(run.session.failedTurns == 0)
        let last = try #require(run.requests.last)
        let sent = SentMessages.texts(of: last, format: .openai)
        #expect(sent == [
            "case B: WS-042 is beaconing to 198.51.100.7", "Isolate WS-042.", "What host were we discussing?",
        ])
        #expect(!last.bodyText.contains("case C"))
    }
}
