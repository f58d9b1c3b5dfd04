#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Notes a colleague can use: where they land, what they look like.
@Suite("Notes a colleague can use")
struct IncidentNotesSharingTests {
    static let paste = """
        what is this? pasted from the proxy log:
        2026-11-24T22:01:05Z GET http://45.155.205.17/x.sh 200 curl/8.5
        2026-11-24T22:01:09Z CONNECT evil-c2.com:443 ```not a fence```
        """

    static func session() -> ReplayedSession {
        var session = ReplayedSession(name: "web01-compromise")
        let events: [JournalEvent] = [
            .sessionStart(sampleStart),
            .user(paste),
            .assistant(.init(text: "Block https://evil-c2.com/gate and 45.155.205.17; mail from ops@evil-c2.com is", stop: "maxTokens")),
            .user("Which process?"),
            .assistant(.init(text: "Probably svch", status: .interrupted)),
        ]
        for (index, event) in events.enumerated() {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 1_795_557_665 + Double(index) * 60), event: event))
        }
        return session
    }

    @Test
    func theTitleIsTheSessionName() {
        let notes = IncidentNotes.markdown(for: Self.session(), facts: [], utcOffsetSeconds: 0)
        #expect(notes.hasPrefix("# Incident notes: web01-compromise\n"))
    }

    @Test
    func pastedTextIsFencedWithAFenceItCannotClose() {
        let notes = IncidentNotes.markdown(for: Self.session(), facts: [], utcOffsetSeconds: 0)
        #expect(notes.contains("""
            ### Analyst

            ````text
            what is this? pasted from the proxy log:
            2026-11-24T22:01:05Z GET hxxp://45.155.205[.]17/x.sh 200 curl/8.5
            2026-11-24T22:01:09Z CONNECT evil-c2[.]com:443 ```not a fence```
            ````

            """))
        // A one-line question stays a paragraph.
        #expect(notes.contains("### Analyst\n\nWhich process?\n"))
    }

    @Test
    func indicatorsAreDefangedEverywhere() {
        let notes = IncidentNotes.markdown(for: Self.session(), facts: ["IP 45.155.205.17", "URL https://evil-c2.com/gate"],
                                           utcOffsetSeconds: 0)
        #expect(!notes.contains("http://45.155.205.17"))
        #expect(!notes.contains("https://evil-c2.com"))
        #expect(!notes.contains("45.155.205.17"))
        #expect(notes.contains("- IP 45.155.205[.]17"))
        #expect(notes.contains("Block hxxps://evil-c2[.]com/gate and 45.155.205[.]17; mail from ops@evil-c2[.]com is"))
    }

    @Test(arguments: [
        ("see 203.0.113.45:443", "see 203.0.113[.]45:443"),
        ("HTTPS://EVIL.COM/Login", "HXXPS://EVIL[.]COM/Login"),
        ("ftp://files.example.org/a", "fxp://files.example[.]org/a"),
        ("already 203.0.113[.]45 and hxxp://x[.]com", "already 203.0.113[.]45 and hxxp://x[.]com"),
        ("v6 2001:db8::1 and hash d41d8cd98f00b204e9800998ecf8427e", "v6 2001:db8::1 and hash d41d8cd98f00b204e9800998ecf8427e"),
    ])
    func defangingWritesIndicatorsAsAnalystsDo(input: String, expected: String) {
        #expect(IncidentNotes.defanged(input) == expected)
    }

    @Test
    func cutAndInterruptedAnswersAreMarked() {
        let notes = IncidentNotes.markdown(for: Self.session(), facts: [], utcOffsetSeconds: 0)
        #expect(notes.contains("### Assistant (cut at the token limit)"))
        #expect(notes.contains("mail from ops@evil-c2[.]com is\n\n_The answer was cut here: it reached the token limit (--max-tokens)._"))
        #expect(notes.contains("### Assistant (interrupted)"))
        #expect(notes.contains("_The answer was interrupted here._"))
    }

    @Test
    func theJournalRecordsWhyAnAnswerWasCut() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let journal = try store.create(named: "cut", start: sampleStart)
        try journal.recordQuestion("long one")
        try journal.recordAnswer("half an ans", status: .complete, stopReason: StopReason(kind: .maxTokens, raw: "length"))
        try journal.recordQuestion("short one")
        try journal.recordAnswer("done", status: .complete, stopReason: StopReason(kind: .endTurn, raw: "stop"))
        let session = try store.load("cut")
        #expect(session.answers.values.map(\.stop).sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "maxTokens"])
        #expect(IncidentNotes.markdown(for: session, facts: []).components(separatedBy: "(cut at the token limit)").count == 2)
    }

    @Test
    func theNotesEndWithTheJournalsFinalChainHash() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path + "/sessions", clock: SteppingClock().function)
        let journal = try store.create(named: "case", start: sampleStart)
        try journal.recordQuestion("is 203.0.113.45 bad?")
        try journal.recordAnswer("yes", status: .complete)
        let chain = try store.verify("case")
        let head = try #require(journal.chainHead)
        #expect(chain.finalHash == head)
        let path = directory.path + "/notes.md"
        try IncidentNotes.export(try store.load("case"), facts: [], to: path, journal: chain)
        let notes = String(decoding: try fileBytes(path), as: UTF8.self)
        #expect(notes.contains("- Journal: session case, hash chain intact (3 lines)"))
        #expect(notes.contains("- Final chain hash: `sha256:\(head)`"))
        #expect(notes.hasSuffix("they match while the journal is as it was when these notes were written)\n"))
    }

    // MARK: - Where the notes go

    static func environment(_ directory: TemporaryDirectory) -> [String: String] {
        ["HOME": directory.path + "/home", "XDG_DATA_HOME": directory.path + "/data"]
    }

    @Test
    func byDefaultNotesGoToTheNotesFolderNotTheCurrentDirectory() throws {
        let directory = TemporaryDirectory()
        let path = try IncidentNotes.destination(for: "", sessionName: "web01", environment: Self.environment(directory),
                                                 currentDirectory: directory.path)
        #expect(path == directory.path + "/data/incident-repl/notes/web01.md")
        #expect(permissions(of: directory.path + "/data/incident-repl/notes") == 0o700)
        // A bare name goes there too.
        #expect(try IncidentNotes.destination(for: "case.md", sessionName: "web01", environment: Self.environment(directory),
                                              currentDirectory: directory.path)
            == directory.path + "/data/incident-repl/notes/case.md")
        // Without XDG_DATA_HOME: ~/.local/share.
        #expect(IncidentNotes.notesDirectory(environment: ["HOME": "/home/ana"]) == "/home/ana/.local/share/incident-repl/notes")
    }

    @Test
    func tildeIsTheHomeDirectoryAndRelativePathsBecomeAbsolute() throws {
        let directory = TemporaryDirectory()
        #expect(mkdir(directory.path + "/home", 0o700) == 0)
        #expect(mkdir(directory.path + "/work", 0o700) == 0)
        let environment = Self.environment(directory)
        #expect(try IncidentNotes.destination(for: "~/case.md", sessionName: "s", environment: environment,
                                              currentDirectory: directory.path) == directory.path + "/home/case.md")
        #expect(try IncidentNotes.destination(for: "./work/../work/case.md", sessionName: "s", environment: environment,
                                              currentDirectory: directory.path) == directory.path + "/work/case.md")
    }

    @Test
    func aMissingFolderIsNamed() {
        let directory = TemporaryDirectory()
        do {
            _ = try IncidentNotes.destination(for: directory.path + "/nowhere/case.md", sessionName: "s",
                                              environment: Self.environment(directory), currentDirectory: "/")
            Issue.record("a missing folder was accepted")
        } catch {
            #expect("\(error)".contains("the folder \(directory.path)/nowhere does not exist"))
        }
        #expect(TemporaryDirectory.contents(of: directory.path).isEmpty)
    }

    @Test
    func anExistingFileIsNotOverwrittenSilently() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/notes.md"
        writeFile(path, Array("a colleague's notes".utf8))
        do {
            try IncidentNotes.export(Self.session(), facts: [], to: path)
            Issue.record("an existing file was overwritten")
        } catch {
            #expect("\(error)".contains("already exists; /export --force replaces it"))
        }
        #expect(try fileBytes(path) == Array("a colleague's notes".utf8))
        try IncidentNotes.export(Self.session(), facts: [], to: path, replacing: true)
        #expect(try fileBytes(path) != Array("a colleague's notes".utf8))
    }

    @Test
    func exportPrintsTheAbsolutePathRefusesToOverwriteAndForceReplaces() async throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path + "/sessions")
        let journal = try store.create(named: "case", start: sampleStart)
        let server = try LoopbackServer(replies: [.stream(.openai, deltas: ["Block it."])])
        defer { server.stop() }
        let path = temporary.path + "/./notes.md"
        let run = try await SessionHarness.run(
            .openai, lines: ["is 203.0.113.45 bad?", "/export \(path)", "/export \(path)", "/export --force \(path)"],
            server: server
        ) { session in
            session.sessions = store
            session.journal = journal
        }
        #expect(run.stdout.components(separatedBy: "incident notes written to \(temporary.path)/notes.md").count == 3)
        #expect(run.stderr.contains("already exists; /export --force replaces it"))
        #expect(run.stdout.contains("final chain hash: sha256:"))
    }
}
