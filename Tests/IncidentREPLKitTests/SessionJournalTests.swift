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
import Testing

@Suite("SessionJournal", .serialized)
struct SessionJournalTests {
    @Test(arguments: [mode_t(0o022), mode_t(0o000)])
    func createsFile0600InDirectory0700WhateverTheUmask(mask: mode_t) throws {
        let temporary = TemporaryDirectory()
        let previous = umask(mask)
        defer { umask(previous) }
        let store = SessionStore(directory: temporary.path + "/state/incident-repl/sessions")
        let journal = try store.create(named: "case-1", start: sampleStart)
        try journal.recordQuestion("first")
        #expect(permissions(of: journal.path) == 0o600)
        #expect(permissions(of: store.directory) == 0o700)
        #expect(permissions(of: temporary.path + "/state/incident-repl") == 0o700)
    }

    @Test
    func exportIsWritten0600UnderUmask022() throws {
        let temporary = TemporaryDirectory()
        let previous = umask(0o022)
        defer { umask(previous) }
        let path = temporary.path + "/notes.md"
        try IncidentNotes.export(ReplayedSession(name: "n"), facts: [], to: path)
        #expect(permissions(of: path) == 0o600)
    }

    @Test
    func appendedEventsReloadInOrderWithTheirTimes() throws {
        let temporary = TemporaryDirectory()
        let clock = SteppingClock()
        let journal = try SessionJournal.create(at: temporary.path + "/s.jsonl", start: sampleStart, clock: clock.function)
        try journal.recordQuestion("what is 10.0.0.5 doing?\nline two \"quoted\" \u{1B}[2J")
        try journal.recordAnswerDelta("It is ")
        try journal.recordAnswer(
            "It is beaconing.", status: .complete, usage: TokenUsage(inputTokens: 120, outputTokens: 7),
            firstToken: .milliseconds(350), total: .milliseconds(1_200)
        )
        try journal.append(.truncation("dropped 2 old messages"))
        try journal.append(.summary(.init(text: "Earlier: beaconing host.", coversThroughMessageID: 1)))
        try journal.append(.strategyChange("summarize"))
        try journal.append(.pin("10.0.0.5 is the victim"))
        try journal.append(.unpin(index: 0))
        try journal.append(.systemChange(role: nil, systemPrompt: "Be brief."))
        try journal.append(.modelChange(provider: "ollama", model: "llama3.2"))
        try journal.append(.newConversation)

        let result = JournalReader.parse(try fileBytes(journal.path))
        #expect(result.warnings.isEmpty)
        #expect(result.endsWithNewline)
        let start = Date(timeIntervalSince1970: 1_795_647_660)
        #expect(result.entries.map(\.time) == (0..<12).map { start + Double($0) })
        #expect(result.entries.map(\.event) == [
            .sessionStart(sampleStart),
            .user("what is 10.0.0.5 doing?\nline two \"quoted\" \u{1B}[2J"),
            .answerDelta("It is "),
            .assistant(.init(
                text: "It is beaconing.", status: .complete, inputTokens: 120, outputTokens: 7,
                firstTokenMilliseconds: 350, totalMilliseconds: 1_200
            )),
            .truncation("dropped 2 old messages"),
            .summary(.init(text: "Earlier: beaconing host.", coversThroughMessageID: 1)),
            .strategyChange("summarize"),
            .pin("10.0.0.5 is the victim"),
            .unpin(index: 0),
            .systemChange(role: nil, systemPrompt: "Be brief."),
            .modelChange(provider: "ollama", model: "llama3.2"),
            .newConversation,
        ])
    }

    @Test
    func everyEventIsOneLine() throws {
        let temporary = TemporaryDirectory()
        let journal = try SessionJournal.create(at: temporary.path + "/s.jsonl", start: sampleStart)
        try journal.recordQuestion("a\nb\r\nc\u{2028}d")
        try journal.recordAnswer("x\n\ny", status: .interrupted)
        let bytes = try fileBytes(journal.path)
        #expect(bytes.filter { $0 == 0x0A }.count == 3)
        #expect(bytes.last == 0x0A)
    }

    @Test
    func creatingOverAnExistingFileIsRefusedAndLeavesItAlone() throws {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/s.jsonl"
        writeFile(path, Array("keep me\n".utf8))
        #expect(throws: REPLError.self) { try SessionJournal.create(at: path, start: sampleStart) }
        #expect(try fileBytes(path) == Array("keep me\n".utf8))
    }

    @Test
    func reopeningAfterATornLineKeepsNewLinesWhole() throws {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/s.jsonl"
        do {
            let journal = try SessionJournal.create(at: path, start: sampleStart)
            try journal.recordQuestion("first")
        }
        let intact = try fileBytes(path)
        writeFile(path, intact + Array("{\"t\":1,\"type\":\"us".utf8))
        let torn = JournalReader.parse(try fileBytes(path))
        #expect(!torn.endsWithNewline)

        let journal = try SessionJournal.reopen(at: path, endsWithNewline: torn.endsWithNewline)
        try journal.recordQuestion("second")
        let bytes = try fileBytes(path)
        #expect(Array(bytes.prefix(intact.count)) == intact)
        let reloaded = JournalReader.parse(bytes)
        #expect(reloaded.entries.map(\.event) == [.sessionStart(sampleStart), .user("first"), .user("second")])
        #expect(reloaded.warnings.map(\.kind) == [.invalidLine])
        #expect(reloaded.warnings.first?.line == 3)
    }

    @Test
    func journalNameIsTheFileNameWithoutExtension() throws {
        let temporary = TemporaryDirectory()
        let journal = try SessionJournal.create(at: temporary.path + "/2026-11-24-2301.jsonl", start: sampleStart)
        #expect(journal.name == "2026-11-24-2301")
    }

    @Test
    func durationsAreStoredInWholeMilliseconds() {
        #expect(SessionJournal.milliseconds(.milliseconds(1_234)) == 1_234)
        #expect(SessionJournal.milliseconds(.seconds(2) + .microseconds(999)) == 2_000)
    }
}
