import Foundation
import Testing

/// The 30-turn triage transcript through the built binary and the real model at a 2,048-token
/// window: it finishes with no error, and once the window is full the prefix of the requests
/// changes only at a few truncation events, not every turn.
@Suite("End to end: a cache-aware conversation at a 2,048-token window", .serialized)
struct CacheAwareTranscriptTests {
    static let questions = [
        "We see beaconing to 203.0.113.45 every 60 s from host WS-042. What is it?",
        "The process is rundll32.exe with a DLL in C:\\Users\\Public\\. Is that normal?",
        "How do I check which user launched it?",
        "The user is jdoe. She opened an invoice attachment at 09:12. What next?",
        "The attachment hash is 44d88612fea8a8f36de82e1278abb02f. How do I look it up?",
        "What persistence should I look for on WS-042?",
        "We found a scheduled task named UpdaterSvc. How do I inspect it?",
        "The task runs powershell -enc with a long base64 string. How do I decode it safely?",
        "It downloads from hxxp://evil-c2.example.net/a.ps1. Should I block the domain?",
        "Which other hosts talked to 203.0.113.45 in the last 24 hours?",
        "Proxy logs show WS-017 and SRV-FS01 too. Which first?",
        "How do I isolate WS-042 without losing volatile evidence?",
        "What memory artefacts matter most here?",
        "SRV-FS01 shows a new admin account svc_backup2. What does that mean?",
        "How do I find where svc_backup2 logged on?",
        "Event 4624 type 3 from WS-017 to SRV-FS01 at 10:40. Lateral movement?",
        "What detection would catch this next time?",
        "Write a Sigma rule idea for rundll32 loading DLLs from Public.",
        "How do I scope whether credentials were dumped?",
        "We see lsass access from a process named proc.exe. Severity?",
        "Should we reset all domain admin passwords now?",
        "What do I tell management in two sentences?",
        "How do I preserve the proxy logs for legal?",
        "Which MITRE ATT&CK techniques have we seen so far?",
        "Is CVE-2024-3094 relevant here?",
        "What IP were we discussing at the start?",
        "Summarise the affected hosts.",
        "What containment steps remain?",
        "What should the first line of the incident report say?",
        "Anything we missed?",
    ]

    struct AuditEntry: Decodable {
        let method: String
        let url: String
        let body: String
    }

    @Test func thirtyTurnsAtA2048WindowFinishWithNoErrorAndAStablePrefix() async throws {
        let server = try await DedicatedLocalModel.start(contextSize: 2_048)
        defer { server.stop() }
        let audit = FileManager.default.temporaryDirectory.appendingPathComponent("audit-\(UUID().uuidString).jsonl").path
        let state = FileManager.default.temporaryDirectory.appendingPathComponent("state-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: audit) }
        let result = try await ProcessRunner.run(
            arguments: ["--base-url", server.url + "/v1", "--max-tokens", "80", "--temperature", "0", "--audit-log", audit],
            stdin: Array((Self.questions.joined(separator: "\n") + "\n").utf8),
            environment: ["XDG_STATE_HOME": state],
            timeout: .seconds(1_500)
        )
        #expect(result.status == 0, "stderr: \(result.stderr.suffix(2000))")
        #expect(!result.stderr.contains("error:"), "stderr: \(result.stderr.suffix(2000))")
        #expect(result.stdout.components(separatedBy: "\nAssistant: ").count - 1 == 30)

        // The requests the binary sent: the window filled (the first question was dropped), and
        // the first message after the system prompt changed only at a few truncation events.
        let bodies = try String(contentsOfFile: audit, encoding: .utf8).split(separator: "\n").compactMap { line -> [String: Any]? in
            let entry = try JSONDecoder().decode(AuditEntry.self, from: Data(line.utf8))
            // Token counting near the limit (llama.cpp's apply-template and tokenize) is not a turn.
            guard entry.method == "POST", entry.url.hasSuffix("/chat/completions") else { return nil }
            return try JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any]
        }
        #expect(bodies.count == 30)
        #expect(bodies.allSatisfy { $0["cache_prompt"] as? Bool == true })
        let heads = bodies.map { body -> String in
            let messages = body["messages"] as? [[String: Any]] ?? []
            return messages.dropFirst().first?["content"] as? String ?? ""
        }
        #expect(heads.last?.hasPrefix("We see beaconing") == false, "the window never filled")
        let changes = zip(heads, heads.dropFirst()).filter { $0 != $1 }.count
        #expect(changes >= 1 && changes <= 5,
                "the prefix changed \(changes) times in 30 turns: \(heads.map { String($0.prefix(30)) })")
    }
}
