#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import LoopbackProvider
import Safeguards
import Testing

/// `/copy` away from a terminal (the fallback file), and piped answers left as the model sent them.
@Suite("Copying code blocks")
struct CopyCommandTests {
    static let answer = [
        "Run this first:\n```kql\nSigninLogs\n| where ResultType != 0\n```\nthen",
        " this:\n  ```powershell\n  Get-WinEvent -LogName Security \u{1B}[2J\n  ```\nDone.",
    ]

    @Test func theFallbackFileHoldsTheNthBlockExactlyAndIsPrivate() async throws {
        let temporary = TemporaryDirectory()
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: Self.answer)])
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["Queries?", "/copy 3", "/copy x"], server: server)
        #expect(run.stderr.contains("the last answer has 2 code blocks: /copy 1 to /copy 2"))
        #expect(run.stderr.contains("usage: /copy [N] [--file]"))
        // Piped: the answer is exactly what the model sent, unrendered.
        #expect(run.stdout.contains(OutputSanitizer.sanitize(Self.answer.joined())))

        let environment = ["XDG_STATE_HOME": temporary.path, "TERM": "xterm"]
        run.session.copyCodeBlock("", environment: environment)
        let last = temporary.path + "/incident-repl/clipboard/code-block.powershell"
        #expect(String(decoding: try fileBytes(last), as: UTF8.self) == "Get-WinEvent -LogName Security ^[[2J\n")
        var info = stat()
        #expect(stat(last, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)

        run.session.copyCodeBlock("1 --file", environment: environment)
        let first = temporary.path + "/incident-repl/clipboard/code-block.kql"
        #expect(String(decoding: try fileBytes(first), as: UTF8.self) == "SigninLogs\n| where ResultType != 0\n")
    }

    @Test func answersAreRenderedOnlyOnATerminal() {
        let piped = TerminalOutput(descriptor: -1, environment: [:])
        #expect(AnswerRendering.choose(plain: false, output: piped, environment: [:]) == .plain)
        #expect(CodeBlock.all(in: "no code") == [])
        #expect(ChatSession.fileExtension(for: "../../etc") == "txt")
        #expect(ChatSession.fileExtension(for: "KQL") == "kql")
    }

    @Test func theClipboardSequenceIsBase64OfTheCode() {
        let code = "rule: \u{1B}]0;x\u{07} ü"
        let sequence = TerminalText.clipboard(code).rendered
        #expect(sequence.hasPrefix("\u{1B}]52;c;"))
        #expect(sequence.hasSuffix("\u{07}"))
        let payload = sequence.dropFirst(7).dropLast()
        #expect(payload.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+/=".contains($0)) })
        #expect(TerminalText.base64(Array("any carnal pleas".utf8)) == "YW55IGNhcm5hbCBwbGVhcw==")
        #expect(TerminalText.base64(Array("any carnal pleasu".utf8)) == "YW55IGNhcm5hbCBwbGVhc3U=")
        #expect(TerminalText.base64(Array("any carnal pleasur".utf8)) == "YW55IGNhcm5hbCBwbGVhc3Vy")
    }
}
