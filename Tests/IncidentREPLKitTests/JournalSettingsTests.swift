import ConversationCore
import FoundationEssentials
@testable import IncidentREPLKit
import Safeguards
import Testing

/// The journal fields that say where a session's questions go and how they are redacted.
@Suite("Journal: endpoint, redaction, fence key and redactor")
struct JournalSettingsTests {
    @Test func anOldSessionLineStillLoadsWithoutTheNewFields() {
        let line = #"{"t":1795647660000,"type":"session","provider":"openai","model":"gpt-4o","system":"s","strategy":"drop-oldest"}"#
        let session = ReplayedSession(name: "old", journal: JournalReader.parse(Array((line + "\n").utf8)))
        #expect(session.provider == "openai")
        #expect(session.baseURL == nil)
        #expect(session.redaction == nil)
        #expect(session.fenceKey == nil)
        #expect(session.warnings.isEmpty)
    }

    @Test func theNewFieldsAndEventsRoundTripAndReplayInOrder() throws {
        var redactor = SecretRedactor()
        _ = redactor.redact("password=Sup3rS3cretValue!")
        let time = Date(timeIntervalSince1970: 1_795_647_660)
        let entries: [JournalEntry] = [
            JournalEntry(time: time, event: .sessionStart(.init(
                provider: "openai", model: "m", role: nil, systemPrompt: "s", strategy: "drop-oldest",
                baseURL: "http://127.0.0.1:18081/v1", redaction: "on", fenceKey: "k1"))),
            JournalEntry(time: time, event: .user("q")),
            JournalEntry(time: time, event: .redactor(redactor)),
            JournalEntry(time: time, event: .settingsChange(baseURL: nil, redaction: "off")),
        ]
        let bytes = try entries.flatMap { try $0.encodedLine() }
        let parsed = JournalReader.parse(bytes)
        #expect(parsed.entries == entries)
        let session = ReplayedSession(name: "s", journal: parsed)
        #expect(session.baseURL == "http://127.0.0.1:18081/v1")
        #expect(session.redaction == "off")  // the later /redact wins
        #expect(session.fenceKey == "k1")
        #expect(session.redactor == redactor)
        var restored = try #require(session.redactor)
        #expect(restored.redact("password=Sup3rS3cretValue! token=Zx81kQp0LmN3vB7wEr5T").text
            == "password=[REDACTED:generic-secret-1] token=[REDACTED:generic-secret-2]")
    }
}
