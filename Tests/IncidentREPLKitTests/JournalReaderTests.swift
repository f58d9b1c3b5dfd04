#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
@testable import IncidentREPLKit
import Testing

@Suite("JournalReader")
struct JournalReaderTests {
    /// A real journal: written through SessionJournal, every kind of event, multi-byte text.
    static func realJournal() throws -> (bytes: [UInt8], entries: [JournalEntry]) {
        let temporary = TemporaryDirectory()
        let clock = SteppingClock()
        let journal = try SessionJournal.create(at: temporary.path + "/s.jsonl", start: sampleStart, clock: clock.function)
        try journal.recordQuestion("Qu'est-ce que 10.0.0.5 fait ? 🔥")
        try journal.recordAnswerDelta("Il ")
        try journal.recordAnswer("Il émet des balises.", status: .complete)
        try journal.append(.pin("C2: 203.0.113.9"))
        try journal.recordQuestion("and now?")
        try journal.recordAnswer("partial", status: .interrupted)
        let bytes = try fileBytes(journal.path)
        return (bytes, JournalReader.parse(bytes).entries)
    }

    @Test
    func tornLastLineIsSkippedWithAWarning() throws {
        let (bytes, entries) = try Self.realJournal()
        let torn = bytes + Array("{\"t\":1795647700000,\"type\":\"user\",\"text\":\"half a quest".utf8)
        let result = JournalReader.parse(torn)
        #expect(result.entries == entries)
        #expect(result.warnings.map(\.kind) == [.tornLastLine])
        #expect(result.warnings.first?.line == entries.count + 1)
        #expect(!result.endsWithNewline)
    }

    @Test
    func garbageLineInTheMiddleIsSkippedWithAWarning() throws {
        let (bytes, entries) = try Self.realJournal()
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        var damaged: [UInt8] = []
        for (index, line) in lines.enumerated() where index < lines.count - 1 {
            damaged += line + [0x0A]
            if index == 2 { damaged += Array("\u{00}\u{FF}garbage{{{\n".utf8) }
        }
        let result = JournalReader.parse(damaged)
        #expect(result.entries == entries)
        #expect(result.warnings.map(\.kind) == [.invalidLine])
        #expect(result.warnings.first?.line == 4)
    }

    @Test
    func unknownEventTypeIsSkippedAndNamed() throws {
        let (bytes, entries) = try Self.realJournal()
        let result = JournalReader.parse(bytes + Array("{\"t\":1,\"type\":\"hologram\"}\n".utf8))
        #expect(result.entries == entries)
        #expect(result.warnings.count == 1)
        #expect(result.warnings.first?.reason.contains("hologram") == true)
    }

    @Test
    func completeLastLineWithoutNewlineIsKept() throws {
        let (bytes, entries) = try Self.realJournal()
        let result = JournalReader.parse(Array(bytes.dropLast()))
        #expect(result.entries == entries)
        #expect(result.warnings.map(\.kind) == [.unterminatedLastLine])
    }

    @Test
    func emptyFileHasNoEntriesAndNoWarnings() {
        let result = JournalReader.parse([])
        #expect(result.entries.isEmpty)
        #expect(result.warnings.isEmpty)
        #expect(result.endsWithNewline)
    }

    /// A crash can cut the file at any byte. At every cut, all lines whose JSON is complete load,
    /// and a partly written line is the only thing reported.
    @Test
    func everyCutOffsetLoadsAllCompleteLinesAndReportsTheTornOne() throws {
        let (bytes, entries) = try Self.realJournal()
        // Byte offset at which each line's JSON ends (the closing brace, newline excluded).
        var contentEnds: [Int] = []
        var lineStarts: [Int] = [0]
        for (offset, byte) in bytes.enumerated() where byte == 0x0A {
            contentEnds.append(offset)
            lineStarts.append(offset + 1)
        }
        #expect(contentEnds.count == entries.count)
        for cut in 0...bytes.count {
            let result = JournalReader.parse(Array(bytes[..<cut]))
            let complete = contentEnds.filter { $0 <= cut }.count
            #expect(result.entries == Array(entries.prefix(complete)), "cut at \(cut)")
            let insideALine = !lineStarts.contains(cut) && !contentEnds.contains(cut)
            if insideALine {
                #expect(result.warnings.map(\.kind) == [.tornLastLine], "cut at \(cut)")
                #expect(result.warnings.first?.line == complete + 1, "cut at \(cut)")
            } else if contentEnds.contains(cut) {
                #expect(result.warnings.map(\.kind) == [.unterminatedLastLine], "cut at \(cut)")
            } else {
                #expect(result.warnings.isEmpty, "cut at \(cut)")
            }
        }
    }
}
