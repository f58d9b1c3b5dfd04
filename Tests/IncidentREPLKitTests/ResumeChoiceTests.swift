@testable import IncidentREPLKit
import Testing

@Suite("Resume choice")
struct ResumeChoiceTests {
    static func session(baseURL: String?, redaction: String?) -> ReplayedSession {
        var session = ReplayedSession(name: "case")
        session.provider = "openai"
        session.baseURL = baseURL
        session.redaction = redaction
        return session
    }

    @Test func withoutFlagsTheSessionsEndpointAndRedactionComeBack() {
        let choice = ResumeChoice.reconcile(
            Self.session(baseURL: "http://127.0.0.1:18081/v1", redaction: "on"), provider: "openai",
            baseURLFlag: nil, redactionFlag: nil)
        #expect(choice == ResumeChoice(baseURL: "http://127.0.0.1:18081/v1", redaction: .on, conflicts: [], notes: []))
    }

    @Test func anotherBaseURLOrWeakerRedactionIsAConflict() {
        let choice = ResumeChoice.reconcile(
            Self.session(baseURL: "http://127.0.0.1:18081/v1", redaction: "on"), provider: "openai",
            baseURLFlag: "https://api.openai.com/v1", redactionFlag: .off)
        #expect(choice.conflicts.count == 2)
        #expect(choice.baseURL == "https://api.openai.com/v1")
        #expect(choice.redaction == .off)
    }

    @Test func theSameURLWrittenDifferentlyOrStricterRedactionIsNoConflict() {
        let choice = ResumeChoice.reconcile(
            Self.session(baseURL: "http://127.0.0.1:18081/v1", redaction: "automatic"), provider: "openai",
            baseURLFlag: "HTTP://127.0.0.1:18081/v1/", redactionFlag: .on)
        #expect(choice.conflicts.isEmpty)
        #expect(choice.notes.count == 1)
        #expect(choice.redaction == .on)
    }

    @Test func anotherProviderIsAConflict() {
        let choice = ResumeChoice.reconcile(
            Self.session(baseURL: "http://127.0.0.1:18081/v1", redaction: nil), provider: "anthropic",
            baseURLFlag: nil, redactionFlag: nil)
        #expect(choice.conflicts.count == 1)
        #expect(choice.baseURL == nil)
    }

    @Test func aJournalFromBeforeTheFieldsWereRecordedResumesAsBefore() {
        let choice = ResumeChoice.reconcile(
            Self.session(baseURL: nil, redaction: nil), provider: "openai", baseURLFlag: nil, redactionFlag: nil)
        #expect(choice == ResumeChoice(baseURL: nil, redaction: .automatic, conflicts: [], notes: []))
    }
}
