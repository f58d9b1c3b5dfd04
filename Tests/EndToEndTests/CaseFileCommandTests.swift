import Foundation
import ConversationCore
import IncidentREPLKit
import Testing

/// `incident-repl search`, `sessions` and `verify` through the built binary.
@Suite("Case file commands")
struct CaseFileCommandTests {
    @Test func searchSessionsAndVerifyWorkWithoutAModelAndVerifyFailsOnAnEditedLine() async throws {
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("casefile-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: state) }
        let environment = ["XDG_STATE_HOME": state, "XDG_CONFIG_HOME": state + "/config"]
        let store = SessionStore.standard(environment: environment)
        do {
            let journal = try store.create(named: "web01", start: .init(
                provider: "openai", model: "m", role: nil, systemPrompt: "s", strategy: "drop-oldest"))
            try journal.recordQuestion("beacon to 203.0.113.45 every 60 s")
            try journal.recordAnswer("Block 203.0.113.45.", status: .complete)
        }

        let search = try await ProcessRunner.run(arguments: ["search", "203.0.113[.]45"], environment: environment)
        #expect(search.status == 0)
        #expect(search.stdout.contains("web01  turn 1  analyst: beacon to 203.0.113.45 every 60 s"))
        #expect(search.stderr.contains("2 hits in 1 of 1 session"))

        let sessions = try await ProcessRunner.run(arguments: ["sessions"], environment: environment)
        #expect(sessions.status == 0)
        #expect(sessions.stdout.contains("web01  2 messages, 1 indicator  beacon to 203.0.113.45 every 60 s"))

        let intact = try await ProcessRunner.run(arguments: ["verify"], environment: environment)
        #expect(intact.status == 0)
        #expect(intact.stdout.hasPrefix("session web01: hash chain intact (3 lines)"))

        let path = store.path(for: "web01")
        let edited = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "every 60 s", with: "once")
        try edited.write(toFile: path, atomically: false, encoding: .utf8)
        let broken = try await ProcessRunner.run(arguments: ["verify", "web01"], environment: environment)
        #expect(broken.status == 1)
        #expect(broken.stdout.hasPrefix("session web01: hash chain broken at line 2: the line was changed"))
    }
}
