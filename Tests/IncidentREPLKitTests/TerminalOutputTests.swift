#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Nothing that did not come from the client's own literals reaches the terminal unsanitized.
@Suite("Terminal output sanitized by construction")
struct TerminalOutputTests {
    static let osc52 = "\u{1B}]52;c;ZXZpbA==\u{07}"

    /// What `body` wrote through a `TerminalOutput` on a file.
    static func captured(usesColor: Bool = false, _ body: (TerminalOutput) -> Void) throws -> String {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/out"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        try #require(fd >= 0)
        body(TerminalOutput(descriptor: fd, usesColor: usesColor))
        close(fd)
        return String(decoding: try fileBytes(path), as: UTF8.self)
    }

    static func hasControlBytes(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || (0x7F...0x9F).contains($0.value) }
    }

    @Test
    func writingAStringSanitizesWhatItInterpolates() throws {
        let error = "gateway said \(Self.osc52)\u{9B}2J\u{202E}"
        let text = try Self.captured { output in
            output.write("error: \(error)\n")
            output.writeUntrustedLine(error)
        }
        #expect(!Self.hasControlBytes(text))
        #expect(text.contains("^[]52;c;ZXZpbA==^G"))
        #expect(text.contains("<U+202E>"))
    }

    @Test
    func stylesComeOnlyFromTheTableAndWrapSanitizedText() throws {
        let text = try Self.captured(usesColor: true) { output in
            output.write(output.dim("failed (\(Self.osc52))") + " then \u{1B}[8mhidden\n")
            output.write(output.red("error: ") + TerminalText(.lineStart) + TerminalText(.clearToEndOfLine))
        }
        // dim on, reset, red on, reset, and the one control from the table: nothing else.
        #expect(text == "\u{1B}[2mfailed (^[]52;c;ZXZpbA==^G)\u{1B}[0m then ^[[8mhidden\n"
            + "\u{1B}[31merror: \u{1B}[0m\r\u{1B}[K")
    }

    @Test
    func withoutColourAStyledTextIsPlainAndStillSanitized() throws {
        let text = try Self.captured(usesColor: false) { output in
            output.write(output.dim("x \u{1B}c y") + "\n")
        }
        #expect(text == "x ^[c y\n")
    }

    @Test
    func aProviderErrorBodyWithOSC52NeverReachesStderrThroughTheSummaryPath() async throws {
        // Two long exchanges fill a small window; the third question makes the session summarise,
        // and the summary request fails with a hostile gateway's error body.
        let answer = String(repeating: "The beacon interval is sixty seconds. ", count: 90)
        let hostile = #"{"error":{"message":"bad gateway \u001b]52;c;ZXZpbA==\u0007 \u001b[2J","type":"invalid_request_error"}}"#
        let script = ScriptedHandler([
            // Realistic prompt counts, so that the estimator does not learn that text is nearly free.
            .stream(.openai, deltas: [answer], usage: TokenUsage(input: 1200, output: 800)),
            .stream(.openai, deltas: [answer], usage: TokenUsage(input: 2000, output: 800)),
        ], then: .json(hostile, status: 400))
        let server = try LoopbackServer(handler: script.handler)
        defer { server.stop() }
        let question = String(repeating: "Is 203.0.113.45 beaconing from WS-042? ", count: 20)
        let run = try await SessionHarness.run(
            .openai, lines: [question, question, question], server: server, contextWindow: 2048, maxTokens: 256
        ) { session in
            session.conversation.strategy = .summarise
        }
        #expect(run.stderr.contains("the summary failed"), "\(run.stdout.prefix(3000))")
        #expect(run.stderr.contains("^[]52;c;ZXZpbA==^G"))
        #expect(!Self.hasControlBytes(run.stderr), "\(run.stderr.debugDescription)")
        #expect(!Self.hasControlBytes(run.stdout))
    }

    @Test
    func theResumeWarningShowsAJournaledPasteInert() async throws {
        var replayed = ReplayedSession(name: "case")
        replayed.apply(JournalEntry(time: Date(), event: .sessionStart(sampleStart)))
        replayed.apply(JournalEntry(time: Date(), event: .user("pasted \(Self.osc52) \u{1B}[2J log")))
        let server = try LoopbackServer(replies: [.stream(.openai)])
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: [], server: server) { session in
            session.adopt(replayed)
        }
        #expect(run.stderr.contains("the last question was never answered"))
        #expect(run.stderr.contains("^[]52;c;ZXZpbA==^G"))
        #expect(!Self.hasControlBytes(run.stderr), "\(run.stderr.debugDescription)")
    }
}
