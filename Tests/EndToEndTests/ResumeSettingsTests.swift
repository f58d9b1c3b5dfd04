import Foundation
import LoopbackProvider
import Testing

/// `--resume` restores where the case was going and how it was redacted, and secrets keep their
/// placeholder numbers; flags that say otherwise are refused in a transcript.
@Suite("Resume restores the endpoint and the redaction, end to end")
struct ResumeSettingsTests {
    @Test func aResumedSessionGoesToItsBaseURLRedactedWithThePlaceholdersItHad() async throws {
        let server = try LoopbackServer(handler: { request in
            guard request.method == "POST" else { return .json("{}", status: 404) }
            return .stream(.openai, deltas: ["Noted."])
        })
        defer { server.stop() }
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("resume-settings-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        // No key, no base URL from the environment or a config file: only the journal can say where to go.
        let environment = ["XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state, "OPENAI_API_KEY": "", "OPENAI_BASE_URL": "",
                           "INCIDENT_REPL_CONFIG": state + "/none.toml"]

        let first = try await ProcessRunner.run(
            arguments: ["--provider", "openai", "--base-url", server.baseURL + "/v1", "--redact", "--session", "s1"],
            stdin: Array("the db password=Sup3rS3cretValue! on WS-042\n\"\"\"\nJan 1 sshd: Failed password\nJan 1 sshd: Accepted\n\"\"\"\n".utf8),
            environment: environment)
        #expect(first.status == 0, "stderr: \(first.stderr)")

        let second = try await ProcessRunner.run(
            arguments: ["--resume", "s1"],
            stdin: Array("token=Zx81kQp0LmN3vB7wEr5T and password=Sup3rS3cretValue! again\n".utf8), environment: environment)
        #expect(second.status == 0, "stderr: \(second.stderr)")
        #expect(second.stderr.contains(server.baseURL + "/v1"))
        #expect(second.stderr.contains("redaction on"))
        let posts = server.requests.filter { $0.method == "POST" }
        #expect(posts.count == 3)
        let body = try #require(posts.last).bodyText
        // The pasted log is fenced exactly as before the resume (same nonce: the prefix stays cacheable).
        func fencedPaste(_ text: String) -> String? {
            text.components(separatedBy: "<<<UNTRUSTED-DATA-").dropFirst().first?.components(separatedBy: ">>>").first
        }
        let before = try #require(fencedPaste(posts[1].bodyText))
        #expect(fencedPaste(body) == before)
        #expect(!body.contains("Sup3rS3cret"))
        #expect(!body.contains("Zx81kQp0"))
        // The password keeps number 1 (given in the first run); the new token gets number 2.
        #expect(body.contains("token=[REDACTED:generic-secret-2] and password=[REDACTED:generic-secret-1] again"))

        // A flag that weakens redaction is refused in a transcript, naming the difference.
        let refused = try await ProcessRunner.run(
            arguments: ["--resume", "s1", "--no-redact"], stdin: Array("hello\n".utf8), environment: environment)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("refusing to resume s1"))
        #expect(refused.stderr.contains("redaction on"))
        #expect(server.requests.filter { $0.method == "POST" }.count == 3)
    }
}
