import Foundation
import LoopbackProvider
import Testing

/// Line editing, Ctrl-C and the history file, in a real pseudo-terminal.
@Suite("The REPL in a terminal", .serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct TerminalTests {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("tty-\(UUID().uuidString)").path

    func command(_ server: LoopbackServer, extra: String = "") -> String {
        "env XDG_STATE_HOME=\(state) TERM=xterm-256color \(ProcessRunner.binary) --provider openai "
            + "--base-url \(server.baseURL)/v1 --max-retries 0 \(extra)"
    }

    func prompts(_ screen: String) -> Int {
        screen.components(separatedBy: "ir> ").count - 1
    }

    @Test func tabCompletesCommandsAndRoleNames() throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let terminal = try Tmux(command: command(server))
        try terminal.waitFor { $0.contains("ir> ") }
        try terminal.type("/ro")
        try terminal.send("Tab")
        try terminal.type("thr")
        try terminal.send("Tab")
        try terminal.waitFor { $0.contains("/role threat-intel") }
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("role set to threat-intel") }
    }

    @Test func ctrlCAtThePromptClearsTheLineAndSaysHowToLeave() throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let terminal = try Tmux(command: command(server))
        try terminal.waitFor { $0.contains("ir> ") }
        try terminal.type("a draft I do not want")
        try terminal.send("C-c")
        try terminal.waitFor { $0.contains("type quit or press Ctrl-D to leave") }
        try terminal.type("/history")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("no messages yet") }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try terminal.send("C-d")
    }

    @Test func ctrlCWhileAnAnswerStreamsStopsItAndKeepsThePartialAnswer() throws {
        let slow = Reply.stream(.openai, deltas: (1...200).map { "word\($0) " }, interval: .milliseconds(100))
        let script = ScriptedHandler(steps: [{ _ in slow }], then: { request in
            request.method == "POST" ? .stream(.openai, deltas: ["second answer"]) : .json("{}", status: 404)
        })
        let server = try LoopbackServer(handler: { request in
            request.method == "POST" ? script.reply(to: request) : .json("{}", status: 404)
        })
        defer { server.stop() }
        let terminal = try Tmux(command: command(server))
        try terminal.waitFor { $0.contains("ir> ") }
        try terminal.type("tell me everything")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("word3 ") }
        try terminal.send("C-c")
        let (screen, waited) = try terminal.waitFor(timeout: .seconds(5)) { $0.contains("answer interrupted") }
        #expect(waited < .seconds(1), "Ctrl-C took \(waited) to stop the answer")
        #expect(!screen.contains("word200"))
        try terminal.type("/history")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("Assistant (interrupted):") }
        try terminal.type("and now?")
        try terminal.send("Enter")
        try terminal.waitFor { $0.contains("second answer") }
    }

    @Test func theHistoryFileIsPrivateAndRecallsLinesAcrossRuns() throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["noted"]))
        defer { server.stop() }
        let old = umask(0o022)
        defer { umask(old) }
        do {
            let terminal = try Tmux(command: command(server))
            try terminal.waitFor { $0.contains("ir> ") }
            try terminal.type("what is 198.51.100.7 doing")
            try terminal.send("Enter")
            try terminal.waitFor { $0.contains("noted") }
            try terminal.send("C-d")
            usleep(300_000)
        }
        let history = state + "/incident-repl/history"
        let file = try FileManager.default.attributesOfItem(atPath: history)
        let directory = try FileManager.default.attributesOfItem(atPath: state + "/incident-repl")
        #expect((file[.posixPermissions] as? Int) == 0o600)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        let terminal = try Tmux(command: command(server))
        try terminal.waitFor { $0.contains("ir> ") }
        try terminal.send("Up")
        try terminal.waitFor { $0.contains("ir> what is 198.51.100.7 doing") }
    }

    @Test func aTypedBlockIsOneMessageAndTheFooterFollowsTheAnswer() throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["seen"]))
        defer { server.stop() }
        let terminal = try Tmux(command: command(server))
        try terminal.waitFor { $0.contains("ir> ") }
        for line in ["\"\"\"", "Nov 24 fw01 DROP src=203.0.113.9", "Nov 24 fw01 DROP src=203.0.113.10", "\"\"\""] {
            try terminal.type(line)
            try terminal.send("Enter")
        }
        let (screen, _) = try terminal.waitFor { $0.contains("seen") && $0.contains(" out ·") }
        #expect(screen.contains("first token"))
        let chats = server.requests.filter { $0.method == "POST" }
        #expect(chats.count == 1)
        let content = chats.first?.json()?["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(content.contains("203.0.113.9\nNov 24 fw01 DROP src=203.0.113.10"))
    }
}
