import Foundation
import LoopbackProvider
import Testing

/// Rendered answers and `/copy` in a real pseudo-terminal (tmux), and `--plain`.
@Suite("Rendered answers in a terminal", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct RenderedAnswerTerminalTests {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID().uuidString)").path

    static let code = "SigninLogs\n| where ResultType != 0 and UserPrincipalName has \"svc-\"\n| summarize count() by IPAddress"
    /// An answer cut mid-markup, as a model streams it.
    static let deltas = [
        "## Tri", "age of **dc", "01**\n", "- Isolate *ws-07* and keep the memory image for the forensics team to look at later\n",
        "| Host | Logons |\n|---|---:|\n", "| dc01 | 12 |\n", "\nRun:\n```k", "ql\n", code, "\n```\n", "See [the runbook](https://runbooks.example/ir).",
    ]

    func command(_ server: LoopbackServer, extra: String = "") -> String {
        "env XDG_STATE_HOME=\(state) TERM=xterm-256color \(ProcessRunner.binary) --provider openai "
            + "--base-url \(server.baseURL)/v1 --max-retries 0 \(extra)"
    }

    @Test func anAnswerIsRenderedAsItStreamsAndCopyPutsTheCodeBlockOnTheClipboard() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: Self.deltas))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server), width: 60)
        try await terminal.tmux(["set-option", "-s", "set-clipboard", "on"])
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("Triage?")
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor { $0.contains("the runbook (https://runbooks.example/ir)") }
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        #expect(lines.contains("Triage of dc01"))
        #expect(lines.contains("• Isolate ws-07 and keep the memory image for the forensics"))
        #expect(lines.contains("  team to look at later"))
        #expect(lines.contains("Host │ Logons"))
        #expect(lines.contains("dc01 │     12"))
        #expect(lines.contains("── kql (/copy 1) ──"))
        // Code lines exactly as written: no gutter, no wrapping of ours (the terminal wraps the long one).
        #expect(lines.contains("SigninLogs"))
        #expect(screen.contains("| where ResultType != 0 and UserPrincipalName has \"svc-\""))
        #expect(!screen.contains("**") && !screen.contains("## ") && !screen.contains("```"))

        try await terminal.type("/copy")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("copied code block 1 of 1 (kql), 3 lines to the clipboard") }
        let buffer = try await terminal.tmux(["show-buffer"])
        #expect(buffer == Self.code)
        try await terminal.send("C-d")
    }

    @Test func wrappingFollowsAResizeOfTheTerminal() async throws {
        let sentence = "Beaconing every sixty seconds from ws-07 to 203.0.113.9 over TLS with a self-signed certificate"
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["- ", sentence, "\n"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server), width: 120)
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("Wide?")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("• " + sentence) }
        try await terminal.tmux(["resize-window", "-t", terminal.session, "-x", "50"])
        #expect(try await terminal.tmux(["display-message", "-p", "-t", terminal.session, "#{window_width}"]) == "50\n")
        try await Task.sleep(for: .milliseconds(300))  // SIGWINCH reaches the REPL
        try await terminal.type("Narrow?")
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor { $0.contains("self-signed certificate") && $0.contains("Narrow?") && $0.components(separatedBy: "self-signed").count == 3 }
        let lines = screen.split(separator: "\n").map(String.init)
        // The second answer is wrapped at the new width, with its hanging indentation.
        #expect(lines.contains("• Beaconing every sixty seconds from ws-07 to"))
        #expect(lines.contains("  203.0.113.9 over TLS with a self-signed"))
        #expect(lines.contains("  certificate"))
        try await terminal.send("C-d")
    }

    @Test func withPlainTheAnswerIsShownAsTheModelSentIt() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: Self.deltas))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server, extra: "--plain"), width: 100)
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("Triage?")
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor { $0.contains("See [the runbook](https://runbooks.example/ir).") }
        #expect(screen.contains("## Triage of **dc01**"))
        #expect(screen.contains("```kql"))
        try await terminal.send("C-d")
    }
}
