import Foundation
import LoopbackProvider
import Testing

/// Bad input and hostile servers, through the built binary: no crash, no hang, a clear message,
/// nothing lost, and nothing dangerous reaching the terminal or the provider.
@Suite("Hostile input and output, end to end")
struct HostileInputTests {
    func environment(_ state: String) -> [String: String] {
        ["XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state + "/config"]
    }

    func scratch() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)").path
    }

    func files(under directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).map { directory + "/" + $0 }
    }

    @Test func randomBytesNULsAndInvalidUTF8OnStdinNeverCrashIt() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["ok"]))
        defer { server.stop() }
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes += Array("\nquit\n".utf8)
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--max-retries", "0"],
            stdin: bytes, environment: environment(state), timeout: .seconds(120)
        )
        #expect(!result.timedOut)
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(500))")
        // Every request was valid JSON, and the echo of the input carried no raw control bytes.
        #expect(server.requests.filter { $0.method == "POST" }.allSatisfy { $0.json() != nil })
        #expect(!result.stdout.utf8.contains(0x1B))
        #expect(!result.stdout.utf8.contains(0x00))
    }

    @Test func aTenMegabyteLineGetsAClearErrorAndTheSessionGoesOn() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["fine"]))
        defer { server.stop() }
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let huge = String(repeating: "A", count: 10_000_000)
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--session", "huge"],
            stdin: Array("\(huge)\nhello\n".utf8), environment: environment(state), timeout: .seconds(120)
        )
        #expect(result.status == 1)  // one turn failed
        #expect(result.stderr.contains("tokens"))
        #expect(result.stdout.contains("Assistant: fine"))
        // Nothing lost: the journal holds the 10 MB line as typed.
        let journal = try Data(contentsOf: URL(fileURLWithPath: state + "/incident-repl/sessions/huge.jsonl"))
        #expect(journal.count > 10_000_000)
    }

    @Test func aHundredThousandLinePasteArrivesAsOneMessage() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["read it"]))
        defer { server.stop() }
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let paste = (0..<100_000).map { "Nov 24 23:01:\($0 % 60) fw01 DROP src=203.0.113.\($0 % 250) dport=443" }
        let input = "\"\"\"\n" + paste.joined(separator: "\n") + "\n\"\"\"\nwhat stands out?\n"
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--context-window", "4000000"],
            stdin: Array(input.utf8), environment: environment(state), timeout: .seconds(180)
        )
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(500))")
        let chats = server.requests.filter { $0.method == "POST" }
        let first = try #require(chats.first?.json()?["messages"]?.array?.last?["content"]?.string)
        #expect(first.contains("UNTRUSTED-DATA"))  // fenced as data
        #expect(first.components(separatedBy: "fw01 DROP").count - 1 == 100_000)
        #expect(chats.count == 2)
    }

    @Test func escapeSequencesFromTheModelNeverReachTheTerminal() async throws {
        let deltas = ["Run ", "\u{1B}", "]52;c;ZXZpbA==\u{07}", "this: echo ok \u{1B}[24D\u{1B}[K rm -rf", " \u{9B}2J", " \u{202E}txt.exe", "\r\n"]
        let server = try LoopbackServer(handler: ProviderFormat.anthropic.answerHandler(deltas: deltas))
        defer { server.stop() }
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "anthropic", "--base-url", server.baseURL], stdin: Array("hi\n".utf8),
            environment: environment(state)
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let bytes = Array(result.stdout.utf8)
        #expect(!bytes.contains(0x1B) && !bytes.contains(0x07) && !bytes.contains(0x0D))
        #expect(!result.stdout.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(result.stdout.contains("^[]52;c;ZXZpbA==^G"))
        #expect(result.stdout.contains("rm -rf"))
        #expect(result.stdout.contains("<U+202E>"))
    }

    @Test func forcedRedactionSendsPlaceholdersAndTheJournalKeepsWhatWasTyped() async throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["noted"]))
        defer { server.stop() }
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let secret = "AKIAIOSFODNN7EXAMPLE"
        let result = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--redact", "--session", "r"],
            stdin: Array("the attacker used \(secret) from 203.0.113.45\nand \(secret) again\n".utf8),
            environment: environment(state)
        )
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stderr.contains("redacted 1 secret"))
        for request in server.requests where request.method == "POST" {
            #expect(!request.bodyText.contains(secret))
            #expect(request.bodyText.contains("203.0.113.45"))
        }
        let last = try #require(server.requests.last { $0.method == "POST" }?.bodyText)
        #expect(last.components(separatedBy: "[REDACTED:aws-access-key-1]").count - 1 == 2)  // stable placeholder
        let journal = try String(contentsOfFile: state + "/incident-repl/sessions/r.jsonl", encoding: .utf8)
        #expect(journal.contains(secret))
    }

    /// A canary key through every error path: it must appear in no output, error, journal, history,
    /// audit log or export.
    @Test func theKeyAppearsInNothingWrittenOnAnyErrorPath() async throws {
        let canary = "sk-ant-api03-CANARY" + String(repeating: "Q", count: 80) + "AA"
        // Some servers echo the key they rejected.
        let echoingServer = try LoopbackServer(handler: { request in
            .error(.anthropic, status: 401, message: "invalid x-api-key: \(request.header("x-api-key") ?? "")")
        })
        defer { echoingServer.stop() }
        let forbidden = try LoopbackServer(replies: [.error(.anthropic, status: 403, message: "permission denied")])
        defer { forbidden.stop() }
        let overflow = try LoopbackServer(replies: [.fault(.anthropic, .contextOverflow())])
        defer { overflow.stop() }
        let stalled = try LoopbackServer(replies: [.fault(.anthropic, .trickle(interval: .seconds(3)))])
        defer { stalled.stop() }
        let endpoints = [
            echoingServer.baseURL,                                   // 401 echoing the key
            forbidden.baseURL,                                       // 403
            overflow.baseURL,                                        // overflow, twice
            stalled.baseURL,                                         // stall timeout
            "http://127.0.0.1:\(LoopbackServer.unusedPort())",       // refused
            "https://127.0.0.1:\(echoingServer.port)",               // TLS against a plain-HTTP server
        ]
        let state = scratch()
        defer { try? FileManager.default.removeItem(atPath: state) }
        let audit = state + "/audit.jsonl"
        var everything = ""
        for (index, endpoint) in endpoints.enumerated() {
            let result = try await ProcessRunner.run(
                arguments: ["--provider", "anthropic", "--base-url", endpoint, "--max-retries", "1", "--stall-timeout", "1",
                            "--audit-log", audit, "--session", "canary-\(index)"],
                stdin: Array("what is this?\n/export \(state)/notes-\(index).md\n".utf8),
                environment: environment(state).merging(["ANTHROPIC_API_KEY": canary]) { $1 }
            )
            #expect(result.status != 0, "endpoint \(endpoint) should fail")
            everything += result.stdout + result.stderr
        }
        #expect(everything.contains("authentication_error"))
        #expect(everything.contains("…QQAA"))  // the echoed key, masked to its last four characters
        for path in files(under: state) {
            everything += (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        }
        #expect(files(under: state).contains { $0.hasSuffix(".jsonl") && $0.contains("sessions") })
        #expect(files(under: state).contains { $0.hasSuffix("notes-0.md") })
        #expect(!everything.contains(canary))
        #expect(!everything.contains("CANARY" + String(repeating: "Q", count: 20)))
    }
}
