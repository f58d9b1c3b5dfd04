import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Text from a provider or a journal never reaches the terminal raw, on the summary-failure and
/// resume-warning paths too.
@Suite("Untrusted text in notices")
struct UntrustedNoticeTests {
    @Test func anOSC52ErrorBodyFromTheSummaryRequestIsShownInert() async throws {
        let hostile = "gateway says \u{1B}]52;c;ZXZpbA==\u{07} no"
        let server = try LoopbackServer(handler: { request in
            // The summary request is the one at temperature 0 (turns send none).
            request.json()?["temperature"]?.number != 0
                ? .stream(.openai, deltas: ["Noted."], usage: TokenUsage(input: 100 * ((request.json()?["messages"]?.array?.count) ?? 1), output: 2))
                : .error(.openai, status: 400, message: hostile)
        })
        defer { server.stop() }
        let filler = String(repeating: "proxy log line with nothing of note ", count: 12)
        let run = try await SessionHarness.run(
            .openai, lines: ["/strategy summarise"] + (1...8).map { "turn \($0): \(filler)" }, server: server,
            contextWindow: 1200, maxTokens: 128)
        #expect(run.stderr.contains("the summary failed"), "stdout: \(run.stdout)")
        #expect(run.stderr.contains("^[]52;c;ZXZpbA==^G"))
        #expect(!run.stderr.contains("\u{1B}"))
        #expect(!run.stderr.contains("\u{07}"))
    }

    @Test func theResumeWarningShowsAJournaledPasteInert() async throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path)
        do {  // journaled earlier, and closed
            let journal = try store.create(named: "hostile", start: sampleStart)
            try journal.recordQuestion("\u{1B}]52;c;ZXZpbA==\u{07}\u{1B}[2J pasted mail")
            await journal.waitUntilDurable()
        }
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/resume hostile"], server: server) { session in
            session.sessions = store
        }
        #expect(run.stderr.contains("never answered"))
        #expect(run.stderr.contains("^[]52;c;ZXZpbA==^G^[[2J pasted mail"))
        #expect(!run.stderr.contains("\u{1B}"))
    }
}
