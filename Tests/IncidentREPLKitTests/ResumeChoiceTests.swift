#if canImport(Glibc)
import Glibc
#endif
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

@Suite("Resume confirmation")
struct ResumeConfirmationTests {
    static let conflicts = ["the session went to http://127.0.0.1:18081/v1; --base-url sends it to https://api.openai.com/v1\u{1B}[2J"]

    @Test func onATerminalYesContinuesAndAnythingElseCancels() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/err"
        let descriptor = open(path, O_WRONLY | O_CREAT, 0o600)
        defer { close(descriptor) }
        let errors = TerminalOutput(descriptor: descriptor, environment: [:])
        try REPLApp.confirmResume("case", conflicts: Self.conflicts, interactive: true, errors: errors, readAnswer: { "y" })
        #expect(throws: REPLError.self) {
            try REPLApp.confirmResume("case", conflicts: Self.conflicts, interactive: true, errors: errors, readAnswer: { "" })
        }
        let shown = String(decoding: try fileBytes(path), as: UTF8.self)
        #expect(shown.contains("continue with the command line's settings? [y/N]"))
        #expect(shown.contains("https://api.openai.com/v1^[[2J"))  // journal text shown inert
        #expect(!shown.contains("\u{1B}"))
    }

    @Test func inATranscriptItIsRefusedWithoutAsking() {
        let directory = TemporaryDirectory()
        let descriptor = open(directory.path + "/err", O_WRONLY | O_CREAT, 0o600)
        defer { close(descriptor) }
        var asked = false
        #expect(throws: REPLError.self) {
            try REPLApp.confirmResume(
                "case", conflicts: Self.conflicts, interactive: false,
                errors: TerminalOutput(descriptor: descriptor, environment: [:]), readAnswer: { asked = true; return "y" })
        }
        #expect(!asked)
    }
}
