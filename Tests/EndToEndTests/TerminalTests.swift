import Foundation
import LoopbackProvider
import Synchronization
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

    @Test func tabCompletesCommandsAndRoleNames() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("/ro")
        try await terminal.send("Tab")
        try await terminal.type("thr")
        try await terminal.send("Tab")
        try await terminal.waitFor { $0.contains("/role threat-intel") }
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("role set to threat-intel") }
    }

    @Test func ctrlCAtThePromptClearsTheLineAndSaysHowToLeave() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("a draft I do not want")
        try await terminal.send("C-c")
        try await terminal.waitFor { $0.contains("type quit or press Ctrl-D to leave") }
        try await terminal.type("/history")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("no messages yet") }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try await terminal.send("C-d")
    }

    @Test func ctrlCWhileAnAnswerStreamsStopsItAndKeepsThePartialAnswer() async throws {
        let slow = Reply.stream(.openai, deltas: (1...200).map { "word\($0) " }, interval: .milliseconds(100))
        let script = ScriptedHandler(steps: [{ _ in slow }], then: { request in
            request.method == "POST" ? .stream(.openai, deltas: ["second answer"]) : .json("{}", status: 404)
        })
        let server = try LoopbackServer(handler: { request in
            request.method == "POST" ? script.reply(to: request) : .json("{}", status: 404)
        })
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("tell me everything")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("word3 ") }
        try await terminal.send("C-c")
        let (screen, waited) = try await terminal.waitFor(timeout: .seconds(15)) { $0.contains("answer interrupted") }
        // The answer had 20 s to go: stopping well before that is the behaviour; the latency itself
        // (tmux polling included) is printed for the record, not asserted on a shared machine.
        print("Ctrl-C to the interrupted notice on screen: \(waited)")
        #expect(waited < .seconds(10), "Ctrl-C took \(waited) to stop the answer")
        #expect(!screen.contains("word200"))
        try await terminal.type("/history")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("Assistant (interrupted):") }
        try await terminal.type("and now?")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("second answer") }
    }

    @Test func theHistoryFileIsPrivateAndRecallsLinesAcrossRuns() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["noted"]))
        defer { server.stop() }
        let old = umask(0o022)
        defer { umask(old) }
        do {
            let terminal = try await Tmux.start(command: command(server))
            try await terminal.waitFor { $0.contains("ir> ") }
            try await terminal.type("what is 198.51.100.7 doing")
            try await terminal.send("Enter")
            try await terminal.waitFor { $0.contains("noted") }
            try await terminal.send("C-d")
            try await Task.sleep(for: .milliseconds(300))
        }
        let history = state + "/incident-repl/history"
        let file = try FileManager.default.attributesOfItem(atPath: history)
        let directory = try FileManager.default.attributesOfItem(atPath: state + "/incident-repl")
        #expect((file[.posixPermissions] as? Int) == 0o600)
        #expect((directory[.posixPermissions] as? Int) == 0o700)
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.send("Up")
        try await terminal.waitFor { $0.contains("ir> what is 198.51.100.7 doing") }
    }

    @Test func aTypedBlockIsOneMessageAndTheFooterFollowsTheAnswer() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["seen"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        for line in ["\"\"\"", "Nov 24 fw01 DROP src=203.0.113.9", "Nov 24 fw01 DROP src=203.0.113.10", "\"\"\""] {
            try await terminal.type(line)
            try await terminal.send("Enter")
        }
        let (screen, _) = try await terminal.waitFor { $0.contains("seen") && $0.contains(" out ·") }
        #expect(screen.contains("first token"))
        let chats = server.requests.filter { $0.method == "POST" }
        #expect(chats.count == 1)
        let content = chats.first?.json()?["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(content.contains("203.0.113.9\nNov 24 fw01 DROP src=203.0.113.10"))
    }

    @Test func aBracketedPasteArrivesAsOneMessage() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["pasted"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("look at this: ")
        let log = "Nov 24 sshd[1]: Failed password for root from 203.0.113.5\nNov 24 sshd[1]: Accepted password for root from 203.0.113.5"
        try await terminal.tmux(["set-buffer", "-b", "log", log])
        try await terminal.tmux(["paste-buffer", "-p", "-b", "log", "-t", terminal.session])
        // The paste waits in the edit line as a visible item until Enter.
        try await terminal.waitFor { $0.contains("ir> look at this: [pasted 2 lines, \(log.utf8.count) B]") }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try await terminal.type(" is this brute force?")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("pasted") && $0.contains(" out ·") }
        let chats = server.requests.filter { $0.method == "POST" }
        #expect(chats.count == 1)
        let content = chats.first?.json()?["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(content.contains("look at this: Nov 24 sshd[1]: Failed password"))
        #expect(content.contains("203.0.113.5\nNov 24 sshd[1]: Accepted password for root from 203.0.113.5 is this brute force?"))
    }

    /// Runs the REPL so that its exit shows on screen. The wrapping shell ignores SIGQUIT, as an
    /// interactive shell does (Ctrl-\\ signals the whole foreground process group).
    func commandShowingExit(_ server: LoopbackServer) -> String {
        "sh -c 'trap \"\" QUIT; \(command(server)); echo EXITED-$?; sleep 30'"
    }

    @Test func controlBytesInsideAPasteAreDataNotSignals() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["read"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: commandShowingExit(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        // Ctrl-Z, Ctrl-\ and Ctrl-C bytes inside pasted text.
        try await terminal.tmux(["set-buffer", "-b", "bin", "a\u{1A}b\u{1C}c\u{03}d\nsecond line"])
        try await terminal.tmux(["paste-buffer", "-p", "-b", "bin", "-t", terminal.session])
        try await terminal.waitFor { $0.contains("[pasted 2 lines") }
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor { $0.contains("read") && $0.contains(" out ·") }
        #expect(!screen.contains("EXITED"))
        #expect(!screen.contains("Stopped"))
        let content = server.requests.filter { $0.method == "POST" }.first?.json()?["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(content.contains("a\u{1A}b\u{1C}c\u{03}d\nsecond line"))
        try await terminal.send("C-d")
        try await terminal.waitFor { $0.contains("EXITED-0") }
    }

    @Test func keysTypedWhileAnAnswerStreamsAreNotEchoedIntoItAndWaitAtTheNextPrompt() async throws {
        let slow = Reply.stream(.openai, deltas: (1...30).map { "word\($0) " }, interval: .milliseconds(60))
        let server = try LoopbackServer(handler: { request in request.method == "POST" ? slow : .json("{}", status: 404) })
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("tell me")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("word2 ") }
        try await terminal.type("next question")
        let (screen, _) = try await terminal.waitFor { $0.contains("word30") && $0.contains(" out ·") }
        let answer = screen.components(separatedBy: "word1 ").last?.components(separatedBy: " out ·").first ?? ""
        #expect(!answer.contains("next question"), "type-ahead echoed into the answer:\n\(screen)")
        try await terminal.waitFor { $0.contains("ir> next question") }
        try await terminal.send("C-u", "C-d")
    }

    @Test func quitInAnyCaseEndsTheSession() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        for word in ["QUIT", "Exit"] {
            let terminal = try await Tmux.start(command: commandShowingExit(server))
            try await terminal.waitFor { $0.contains("ir> ") }
            try await terminal.type(word)
            try await terminal.send("Enter")
            try await terminal.waitFor { $0.contains("EXITED-0") }
        }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
    }

    @Test func aMessageStartingWithAPathIsAQuestion() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["looked"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("/var/log/auth.log shows 40 failed logins for root")
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor { $0.contains("looked") }
        #expect(!screen.contains("unknown command"))
        let content = server.requests.filter { $0.method == "POST" }.first?.json()?["messages"]?.array?.last?["content"]?.string
        #expect(content == "/var/log/auth.log shows 40 failed logins for root")
        try await terminal.send("C-d")
    }

    @Test func ctrlDWhileAnAnswerStreamsEndsTheSessionAfterTheAnswer() async throws {
        let slow = Reply.stream(.openai, deltas: (1...20).map { "part\($0) " }, interval: .milliseconds(50))
        let server = try LoopbackServer(handler: { request in request.method == "POST" ? slow : .json("{}", status: 404) })
        defer { server.stop() }
        let terminal = try await Tmux.start(command: commandShowingExit(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("go on")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("part2 ") }
        try await terminal.send("C-d")
        let (screen, _) = try await terminal.waitFor { $0.contains("EXITED") }
        #expect(screen.contains("part20"))
        #expect(screen.contains("EXITED-0"))
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
    }

    @Test func ctrlBackslashQuitsCleanlyAtThePromptAndWhileAnAnswerStreams() async throws {
        let slow = Reply.stream(.openai, deltas: (1...200).map { "w\($0) " }, interval: .milliseconds(50))
        let server = try LoopbackServer(handler: { request in request.method == "POST" ? slow : .json("{}", status: 404) })
        defer { server.stop() }
        let idle = try await Tmux.start(command: commandShowingExit(server))
        try await idle.waitFor { $0.contains("ir> ") }
        try await idle.send("C-\\")
        let (quiet, _) = try await idle.waitFor { $0.contains("EXITED") }
        #expect(quiet.contains("EXITED-0"))
        #expect(!quiet.contains("crashed"))

        let busy = try await Tmux.start(command: commandShowingExit(server))
        try await busy.waitFor { $0.contains("ir> ") }
        try await busy.type("tell me everything")
        try await busy.send("Enter")
        try await busy.waitFor { $0.contains("w3 ") }
        try await busy.send("C-\\")
        let (screen, _) = try await busy.waitFor { $0.contains("EXITED") }
        #expect(screen.contains("answer interrupted"))
        #expect(!screen.contains("crashed"))
        #expect(!screen.contains("w200"))
    }

    @Test func ctrlDInsideABlockCancelsItAndSendsNothing() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["x"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("\"\"\"")
        try await terminal.send("Enter")
        try await terminal.type("half a log line")
        try await terminal.send("Enter")
        // Ctrl-D at the next continuation prompt: one that reaches the terminal between two lines,
        // before the editor reads again, can be lost (seen once on a loaded machine; a type-ahead
        // race of the line editor, not what this test is about).
        try await terminal.waitFor { screen in
            let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
            guard let index = lines.firstIndex(where: { $0.hasPrefix("... half a log line") }) else { return false }
            return index + 1 < lines.count && lines[index + 1].hasPrefix("...")
        }
        try await terminal.send("C-d")
        try await terminal.waitFor { $0.contains("block cancelled") }
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try await terminal.send("C-d")
    }

    @Test func ctrlZSuspendsAndThePromptIsRedrawnAfterFg() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: "bash --norc --noprofile")
        try await terminal.type(command(server))
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("half typed")
        try await terminal.send("C-z")
        try await terminal.waitFor { $0.contains("Stopped") }
        try await terminal.type("fg")
        try await terminal.send("Enter")
        try await terminal.waitFor { screen in
            screen.split(separator: "\n").last { !$0.isEmpty }?.hasPrefix("ir> half typed") == true
        }
        try await terminal.send("C-u", "C-d")
        try await terminal.type("exit")
        try await terminal.send("Enter")
    }

    @Test func ctrlCWhileTheTurnWaitsOnTheServerStopsItAndKeepsTheQuestion() async throws {
        // The first context-window question hangs; asked again after Ctrl-C, the server answers (no
        // window reported). The chat itself answers at once.
        let gets = Atomic<Int>(0)
        let server = try LoopbackServer(handler: { request in
            guard request.method == "GET" else { return .stream(.openai, deltas: ["answered"]) }
            return gets.wrappingAdd(1, ordering: .relaxed).oldValue == 0
                ? Reply(delayBeforeHead: .seconds(60)) : .json("{}", status: 404)
        })
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("what is 203.0.113.7?")
        try await terminal.send("Enter")
        try await Task.sleep(for: .milliseconds(500))
        try await terminal.send("C-c")
        let (screen, _) = try await terminal.waitFor(timeout: .seconds(20)) { $0.contains("stopped before the answer started") }
        #expect(!screen.contains("^C"))
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try await terminal.type("/retry")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("answered") }
        try await terminal.send("C-d")
    }

    /// A loopback answer slow enough to type into.
    static func slowServer(words: Int = 60) throws -> LoopbackServer {
        let slow = Reply.stream(.openai, deltas: (1...words).map { "w\($0) " }, interval: .milliseconds(60))
        return try LoopbackServer(handler: { request in request.method == "POST" ? slow : .json("{}", status: 404) })
    }

    @Test func controlBytesPastedWhileAnAnswerStreamsAreDataForTheNextPrompt() async throws {
        let server = try Self.slowServer()
        defer { server.stop() }
        let terminal = try await Tmux.start(command: commandShowingExit(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("tell me")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("w3 ") }
        try await terminal.tmux(["set-buffer", "-b", "bin", "line one\u{1A}line two\u{03} three\u{1C} four\n"])
        try await terminal.tmux(["paste-buffer", "-p", "-b", "bin", "-t", terminal.session])
        let (screen, _) = try await terminal.waitFor { $0.contains("w60") && $0.contains("[pasted") }
        #expect(!screen.contains("Stopped"))
        #expect(!screen.contains("EXITED"))
        #expect(!screen.contains("interrupted"))
        #expect(screen.contains("ir> [pasted 1 line"))
        try await terminal.send("C-u", "C-d")
        try await terminal.waitFor { $0.contains("EXITED-0") }
    }

    @Test func linesTypedAheadAreSeparateTurns() async throws {
        let server = try Self.slowServer(words: 30)
        defer { server.stop() }
        let terminal = try await Tmux.start(command: commandShowingExit(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("tell me")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("w2 ") }
        try await terminal.type("Which host?")
        try await terminal.send("Enter")
        try await terminal.type("quit")
        try await terminal.send("Enter")
        try await terminal.waitFor(timeout: .seconds(30)) { $0.contains("EXITED") }
        let questions = server.requests.filter { $0.method == "POST" }.compactMap {
            $0.json()?["messages"]?.array?.last?["content"]?.string
        }
        #expect(questions == ["tell me", "Which host?"])
    }

    @Test func sigtermWhileAnAnswerStreamsLeavesTheTerminalAsItWas() async throws {
        let server = try Self.slowServer(words: 200)
        defer { server.stop() }
        let terminal = try await Tmux.start(command: "bash --norc --noprofile")
        try await terminal.type("stty -a | tr ' ' '\\n' | grep -cxE 'isig|icanon|echo'; " + command(server) + "; stty -a | tr ' ' '\\n' | grep -cxE 'isig|icanon|echo'")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("tell me")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("w3 ") }
        _ = try await ProcessRunner.run("/usr/bin/pkill", arguments: ["-TERM", "-f", "base-url \(server.baseURL)/v1 "])
        let (screen, _) = try await terminal.waitFor(timeout: .seconds(20)) { screen in
            screen.split(separator: "\n").filter { $0 == "3" }.count >= 2
        }
        #expect(screen.split(separator: "\n").filter { $0 == "3" }.count == 2, "screen:\n\(screen)")
        try await terminal.type("exit")
        try await terminal.send("Enter")
    }

    @Test func ctrlOShowsWhatAPasteHoldsAndKeepsTheLine() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["seen"]))
        defer { server.stop() }
        let terminal = try await Tmux.start(command: command(server))
        try await terminal.waitFor { $0.contains("ir> ") }
        try await terminal.type("check ")
        try await terminal.tmux(["set-buffer", "-b", "mail", "From: it@evil.example\nSubject: reset\nClick hxxp://evil[.]example/r"])
        try await terminal.tmux(["paste-buffer", "-p", "-b", "mail", "-t", terminal.session])
        try await terminal.waitFor { $0.contains("[pasted 3 lines") }
        try await terminal.send("C-o")
        let (screen, _) = try await terminal.waitFor { $0.contains("end of [pasted 3 lines") }
        #expect(screen.contains("Subject: reset"))
        #expect(server.requests.filter { $0.method == "POST" }.isEmpty)
        try await terminal.type(" please")
        try await terminal.send("Enter")
        try await terminal.waitFor { $0.contains("seen") }
        let content = server.requests.filter { $0.method == "POST" }.first?.json()?["messages"]?.array?.last?["content"]?.string ?? ""
        #expect(content.contains("Subject: reset\nClick hxxp://evil[.]example/r please"))
        try await terminal.send("C-d")
    }
}
