#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
@testable import IncidentREPLKit
import Testing

@Suite("Journal hash chain")
struct JournalChainTests {
    /// A closed journal of 8 lines (session, then 3 question/answer pairs, then a pin); its path.
    static func writtenJournal(in directory: TemporaryDirectory, name: String = "case") throws -> String {
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let journal = try store.create(named: name, start: sampleStart)
        for turn in 1...3 {
            try journal.recordQuestion("question \(turn) about 203.0.113.\(turn)")
            try journal.recordAnswer("answer \(turn)", status: .complete)
        }
        try journal.append(.pin("host: WS-042"))
        return journal.path
    }

    static func lines(_ path: String) throws -> [String] {
        String(decoding: try fileBytes(path), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func write(_ lines: [String], to path: String) {
        writeFile(path, Array((lines.joined(separator: "\n") + "\n").utf8))
    }

    @Test
    func everyLineCarriesItsPlaceAndThePreviousLinesHash() throws {
        let directory = TemporaryDirectory()
        let lines = try Self.lines(try Self.writtenJournal(in: directory))
        #expect(lines.count == 8)
        for (offset, line) in lines.enumerated() {
            let fields = try #require(JournalChain.fields(of: ArraySlice(Array(line.utf8))))
            #expect(fields.index == offset + 1)
            if offset > 0 { #expect(fields.previous == JournalChain.hash(Array(lines[offset - 1].utf8))) }
        }
    }

    @Test
    func twoSessionsStartFromDifferentRandomValues() throws {
        let directory = TemporaryDirectory()
        let first = try Self.lines(try Self.writtenJournal(in: directory, name: "a"))[0]
        let second = try Self.lines(try Self.writtenJournal(in: directory, name: "b"))[0]
        let a = try #require(JournalChain.fields(of: ArraySlice(Array(first.utf8))))
        let b = try #require(JournalChain.fields(of: ArraySlice(Array(second.utf8))))
        #expect(a.previous != b.previous)
    }

    @Test
    func anIntactJournalVerifiesWithItsFinalHash() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        let result = JournalVerifier.verify(try fileBytes(path))
        #expect(result.status == .intact)
        #expect(result.chainedLines == 8)
        #expect(result.finalHash == JournalChain.hash(Array(try Self.lines(path)[7].utf8)))
        // The chained lines still replay as before.
        let session = ReplayedSession(name: "case", journal: JournalReader.parse(try fileBytes(path)))
        #expect(session.messageCount == 6)
        #expect(session.warnings.isEmpty)
    }

    @Test
    func anEditedLineIsNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines[3] = lines[3].replacing("question 2", with: "question 2 (edited)")
        Self.write(lines, to: path)
        let result = JournalVerifier.verify(try fileBytes(path))
        guard case .broken(let line, let reason) = result.status else { Issue.record("not broken: \(result)"); return }
        #expect(line == 4)
        #expect(reason.contains("changed"))
    }

    @Test
    func anEditedFirstLineIsNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines[0] = lines[0].replacing("claude-sonnet-4-5", with: "gpt-5")
        Self.write(lines, to: path)
        #expect(JournalVerifier.verify(try fileBytes(path)).status.brokenLine == 1)
    }

    @Test
    func aDeletedLineIsNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines.remove(at: 4)  // line 5: the second question
        Self.write(lines, to: path)
        let result = JournalVerifier.verify(try fileBytes(path))
        guard case .broken(let line, let reason) = result.status else { Issue.record("not broken: \(result)"); return }
        #expect(line == 5)
        #expect(reason.contains("missing"))
    }

    @Test
    func aDeletedFirstLineIsNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        Self.write(Array(try Self.lines(path).dropFirst()), to: path)
        let result = JournalVerifier.verify(try fileBytes(path))
        #expect(result.status.brokenLine == 1)
    }

    @Test
    func swappedLinesAreNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines.swapAt(2, 3)  // lines 3 and 4: a question and its answer
        Self.write(lines, to: path)
        let result = JournalVerifier.verify(try fileBytes(path))
        guard case .broken(let line, let reason) = result.status else { Issue.record("not broken: \(result)"); return }
        #expect(line == 3)
        #expect(reason.contains("out of order"))
    }

    @Test
    func anInsertedLineWithoutALinkIsNamed() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines.insert(#"{"t":1795647661000,"type":"user","text":"planted"}"#, at: 2)
        Self.write(lines, to: path)
        #expect(JournalVerifier.verify(try fileBytes(path)).status.brokenLine == 3)
    }

    @Test
    func aJournalWithoutAChainIsUnchainedNotBroken() {
        let old = #"""
        {"t":1795647660000,"type":"session","provider":"ollama","model":"m","system":"s","strategy":"drop-oldest"}
        {"t":1795647661000,"type":"user","text":"hello"}
        """# + "\n"
        let result = JournalVerifier.verify(Array(old.utf8))
        #expect(result.status == .unchained)
        #expect(result.continuation == nil)
        #expect(!result.isBroken)
    }

    @Test
    func anOldJournalResumesWithOneNoticeAndStaysUnchained() throws {
        let directory = TemporaryDirectory()
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let old = #"""
        {"t":1795647660000,"type":"session","provider":"ollama","model":"m","system":"s","strategy":"drop-oldest"}
        {"t":1795647661000,"type":"user","text":"hello"}
        {"t":1795647662000,"type":"assistant","text":"hi","status":"complete"}
        """# + "\n"
        writeFile(store.path(for: "old"), Array(old.utf8))
        do {
            let (session, journal) = try store.resume("old")
            #expect(session.messageCount == 2)
            #expect(session.warnings.map(\.kind) == [.noChain])
            try journal.recordQuestion("and now?")
            #expect(journal.chainHead == nil)
        }
        #expect(try store.verify("old").status == .unchained)
        let (again, _) = try store.resume("old")
        #expect(again.messageCount == 3)
        #expect(again.warnings.map(\.kind) == [.noChain])
    }

    @Test
    func aResumeContinuesTheChainSoTheWholeFileVerifies() throws {
        let directory = TemporaryDirectory()
        _ = try Self.writtenJournal(in: directory)
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        do {
            let (session, journal) = try store.resume("case")
            #expect(session.warnings.isEmpty)
            try journal.recordQuestion("one more")
            let head = journal.chainHead
            #expect(try store.verify("case").finalHash == head)
        }
        let result = try store.verify("case")
        #expect(result.status == .intact)
        #expect(result.chainedLines == 9)
    }

    @Test
    func aBrokenChainResumesWithOneWarningNamingTheLine() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var lines = try Self.lines(path)
        lines[1] = lines[1].replacing("question 1", with: "question one")
        Self.write(lines, to: path)
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        let (session, journal) = try store.resume("case")
        #expect(session.messageCount == 6)
        let chainWarnings = session.warnings.filter { $0.kind == .brokenChain }
        #expect(chainWarnings.count == 1)
        #expect(chainWarnings.first?.line == 2)
        // New lines link to the last line, so the only break is still the edited one.
        try journal.recordQuestion("carry on")
        #expect(try store.verify("case").status.brokenLine == 2)
    }

    @Test
    func aTornLineLeftByACrashIsOutsideTheChainNotABreak() throws {
        let directory = TemporaryDirectory()
        let path = try Self.writtenJournal(in: directory)
        var bytes = try fileBytes(path)
        // A crash in the middle of writing the next line.
        bytes += Array(#"{"n":9,"prev":"0000000000000000000000000000000000000000000000000000000000000000","t":17956"#.utf8)
        writeFile(path, bytes)
        #expect(JournalVerifier.verify(bytes).status == .intact)
        let store = SessionStore(directory: directory.path, clock: SteppingClock().function)
        do {
            let (session, journal) = try store.resume("case")
            #expect(!session.warnings.contains { $0.kind == .brokenChain })
            try journal.recordQuestion("after the crash")
        }
        let result = try store.verify("case")
        #expect(result.status == .intact)
        #expect(result.notes.count == 1)
        #expect(result.chainedLines == 9)
    }
}

extension JournalVerification.Status {
    /// The line named by a broken chain; nil otherwise.
    var brokenLine: Int? {
        if case .broken(let line, _) = self { return line }
        return nil
    }
}
