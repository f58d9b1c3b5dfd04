#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import Safeguards
import Testing

@Suite("Evidence files: reading, refusing, selecting")
struct EvidenceReaderTests {
    static func read(_ path: String, _ selection: EvidenceSelection? = nil) throws -> EvidenceFile {
        try EvidenceReader.read(EvidenceRequest(path: path, selection: selection), environment: [:], currentDirectory: "/")
    }

    /// The reason of the REPLError.file a read throws, or nil if it did not throw one.
    static func refusal(_ path: String) -> String? {
        do {
            _ = try read(path)
            return nil
        } catch let REPLError.file(_, reason) {
            return reason
        } catch {
            return "\(error)"
        }
    }

    /// Two gzip members (as `cat a.gz b.gz` makes), one log line each.
    static let gzipLog: [UInt8] = [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x15, 0xcc, 0x41, 0x0a, 0x80, 0x20, 0x10, 0x46, 0xe1, 0x7d, 0xa7, 0xf8, 0x4f, 0x20, 0x33, 0x56, 0x60, 0x1d, 0xa0, 0x65, 0x17, 0x88, 0x16, 0x86, 0x4a, 0x41, 0x31, 0x31, 0x4a, 0x5d, 0x3f, 0x83, 0xc7, 0xb7, 0x7c, 0xb3, 0x3c, 0x68, 0x09, 0x4c, 0x23, 0xd5, 0x18, 0x6f, 0xdc, 0xaa, 0x39, 0xef, 0x61, 0x71, 0xcc, 0xeb, 0x88, 0xc9, 0x1f, 0x67, 0x0c, 0xb8, 0x7d, 0xce, 0xaf, 0x68, 0x40, 0x12, 0x85, 0x8a, 0x14, 0x24, 0x95, 0x0b, 0x3c, 0x38, 0xd3, 0xb3, 0x61, 0x22, 0x63, 0x5b, 0xdc, 0xa2, 0x05, 0x1d, 0x91, 0xb5, 0xff, 0xc1, 0x36, 0x1f, 0xf3, 0xae, 0xd2, 0x4b, 0x5d, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x15, 0xcc, 0xc1, 0x09, 0x80, 0x30, 0x0c, 0x05, 0xd0, 0xbb, 0x53, 0xfc, 0x09, 0x4a, 0x52, 0x15, 0xaa, 0x37, 0x17, 0x70, 0x01, 0xf1, 0xa0, 0x6d, 0xc5, 0x8b, 0xa4, 0x24, 0x45, 0xd7, 0x57, 0xe1, 0x9d, 0xdf, 0x2c, 0x37, 0x5a, 0x02, 0xd3, 0x48, 0x9f, 0x01, 0x4f, 0xde, 0x89, 0x61, 0x76, 0xa6, 0x25, 0x30, 0xaf, 0x23, 0xa6, 0x18, 0x73, 0xa9, 0x39, 0xa1, 0x6c, 0x66, 0x8f, 0x68, 0xc2, 0x21, 0x0a, 0x15, 0xa9, 0x38, 0x54, 0x2e, 0xf0, 0x10, 0x5c, 0xcf, 0x8e, 0x89, 0x9c, 0x6f, 0x51, 0x44, 0x2b, 0x3a, 0x22, 0xef, 0xff, 0xc3, 0x37, 0x2f, 0xdb, 0xc2, 0xae, 0x83, 0x5f, 0x00, 0x00, 0x00]

    @Test func aGzipLogIsReadWholeAndHashedAsItIsOnDisk() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/auth.log.gz"
        writeFile(path, Self.gzipLog)
        let file = try Self.read(path)
        #expect(file.compressed)
        #expect(file.totalLines == 2)
        #expect(file.text.contains("Failed password for root from 198.51.100.23"))
        #expect(file.text.contains("Accepted password for root from 198.51.100.23"))
        #expect(file.sha256 == Digest.sha256Hex(Self.gzipLog))
        #expect(file.size == Self.gzipLog.count)
        #expect(file.label.contains("gzip, decompressed"))
    }

    @Test func aTruncatedGzipFileIsRefusedAsTruncated() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/cut.log.gz"
        writeFile(path, Array(Self.gzipLog.prefix(40)))
        let reason = try #require(Self.refusal(path))
        #expect(reason.contains("truncated"))
    }

    @Test func aBinaryFileIsRefusedNamingTheNulByte() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/sample.exe"
        writeFile(path, Array("MZ\u{90}".utf8) + [0x00, 0x03, 0x00, 0x00] + Array("This program cannot be run".utf8))
        let reason = try #require(Self.refusal(path))
        #expect(reason.contains("binary data (a NUL byte at offset 4)"))
        #expect(reason.contains("only text evidence can be attached"))
    }

    @Test func manyInvalidUTF8SequencesAreRefusedAFewAreShown() throws {
        let directory = TemporaryDirectory()
        let latin1 = directory.path + "/latin1.log"
        writeFile(latin1, Array(repeating: Array("caf".utf8) + [0xE9, 0x20], count: 20).flatMap { $0 })
        let reason = try #require(Self.refusal(latin1))
        #expect(reason.contains("not UTF-8 text"))
        #expect(reason.contains("iconv"))

        let mostlyFine = directory.path + "/few.log"
        writeFile(mostlyFine, Array("login from 203.0.113.45 by caf".utf8) + [0xE9] + Array(" ok\n".utf8))
        let file = try Self.read(mostlyFine)
        #expect(file.replacedSequences == 1)
        #expect(file.text.contains("caf\u{FFFD} ok"))
    }

    @Test func utf16TextIsRefusedWithHowToConvertIt() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/events.txt"
        writeFile(path, [0xFF, 0xFE] + Array("a".utf8) + [0x00])
        #expect(Self.refusal(path)?.contains("iconv -f UTF-16") == true)
    }

    @Test func invisibleCharactersInEvidenceAreMadeVisibleAsInAnythingTyped() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/mail.eml"
        writeFile(path, Array("Subject: invoice\nPay now\u{200B} please\u{202E}fdp.exe\n".utf8))
        let file = try Self.read(path)
        #expect(file.text.contains("<U+200B>"))
        #expect(file.text.contains("<U+202E>"))
        #expect(file.notice != nil)
        #expect(file.sha256 == Digest.sha256Hex(Array("Subject: invoice\nPay now\u{200B} please\u{202E}fdp.exe\n".utf8)))
    }

    @Test func aDirectoryAndAMissingFileAreRefused() throws {
        let directory = TemporaryDirectory()
        #expect(Self.refusal(directory.path)?.contains("a directory") == true)
        #expect(Self.refusal(directory.path + "/nope.log") == "no such file")
    }

    @Test func selectionsTakeALineRangeTheTailOrMatchingLines() throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/app.log"
        writeFile(path, Array((1...10).map { "line \($0) from 10.0.0.\($0)" }.joined(separator: "\n").utf8) + [0x0A])
        let range = try Self.read(path, .lines(first: 3, last: 5))
        #expect(range.text == "line 3 from 10.0.0.3\nline 4 from 10.0.0.4\nline 5 from 10.0.0.5")
        #expect(range.totalLines == 10 && range.attachedLines == 3)
        #expect(try Self.read(path, .tail(2)).text == "line 9 from 10.0.0.9\nline 10 from 10.0.0.10")
        #expect(try Self.read(path, .grep("10.0.0.1")).attachedLines == 2)  // 10.0.0.1 and 10.0.0.10
        #expect(try Self.read(path, .grep("^line [2-3] ")).text == "line 2 from 10.0.0.2\nline 3 from 10.0.0.3")
        #expect(throws: REPLError.self) { try Self.read(path, .lines(first: 11, last: 12)) }
        #expect(throws: REPLError.self) { try Self.read(path, .grep("nothing like this")) }
    }

    @Test func fileLinesParseRangesOptionsAndQuotes() throws {
        let none: (String) -> Bool = { _ in false }
        #expect(try EvidenceRequest.parse("auth.log:100-400", fileExists: none)
            == [EvidenceRequest(path: "auth.log", selection: .lines(first: 100, last: 400))])
        #expect(try EvidenceRequest.parse("--tail 50 a.log 'my logs/b.log'", fileExists: none)
            == [EvidenceRequest(path: "a.log", selection: .tail(50)), EvidenceRequest(path: "my logs/b.log", selection: .tail(50))])
        #expect(try EvidenceRequest.parse("--grep \"Failed password\" auth.log", fileExists: none)
            == [EvidenceRequest(path: "auth.log", selection: .grep("Failed password"))])
        // A file whose name looks like a range is taken whole.
        #expect(try EvidenceRequest.parse("odd:1-2", fileExists: { $0 == "odd:1-2" }) == [EvidenceRequest(path: "odd:1-2")])
        #expect(throws: REPLError.self) { try EvidenceRequest.parse("--tail x a.log", fileExists: none) }
        #expect(throws: REPLError.self) { try EvidenceRequest.parse("--bogus a.log", fileExists: none) }
    }

    @Test func anEvidenceLineRoundTripsThroughTheJournalFormat() throws {
        let file = EvidenceFile(
            path: "/cases/auth.log", size: 120, sha256: String(repeating: "ab", count: 32),
            modified: Date(timeIntervalSince1970: 1_795_000_000.123), attached: Date(timeIntervalSince1970: 1_795_000_100.5),
            compressed: true, selection: .grep("sshd"), totalLines: 9, attachedLines: 2, replacedSequences: 1,
            text: "a\nb")
        let entry = JournalEntry(time: Date(timeIntervalSince1970: 1_795_000_200), event: .evidence(file))
        let line = try entry.encodedLine()
        #expect(String(decoding: line, as: UTF8.self).contains("\"type\":\"evidence\""))
        let decoded = try JSONDecoder().decode(JournalEntry.self, from: Data(line))
        #expect(decoded == entry)
    }
}

@Suite("The evidence list for incident notes")
struct EvidenceNotesTests {
    @Test func listsEveryFileWithItsHashAndTheMessageItWentWith() {
        let file = EvidenceFile(
            path: "/cases/odd `name`.log", size: 12_345, sha256: String(repeating: "0f", count: 32),
            modified: Date(timeIntervalSince1970: 1_795_000_000), attached: Date(timeIntervalSince1970: 1_795_000_300),
            compressed: false, selection: .lines(first: 100, last: 400), totalLines: 7_702, attachedLines: 301,
            replacedSequences: 0, text: "…")
        let section = EvidenceNotes.markdownSection([AttachedEvidence(messageID: 2, file: file)])
        #expect(section.hasPrefix("## Evidence\n\n- "))
        #expect(section.contains("SHA-256 `\(String(repeating: "0f", count: 32))`"))
        #expect(section.contains("``odd `name`.log``"))
        #expect(section.contains("12,345 bytes"))
        #expect(section.contains("sent with message #3 (lines 100-400 of 7,702)"))
        #expect(EvidenceNotes.markdownSection([]) == "")
    }
}

@Suite("Tab completion of /file paths")
struct PathCompleterTests {
    @Test func completesFilesAndDirectoriesUnderTheTypedDirectoryAndKeepsTheTilde() throws {
        let directory = TemporaryDirectory()
        mkdir(directory.path + "/logs", 0o700)
        writeFile(directory.path + "/logs/auth.log", [])
        writeFile(directory.path + "/logs/auth.log.1.gz", [])
        writeFile(directory.path + "/logs/.hidden", [])
        mkdir(directory.path + "/logs/archive", 0o700)
        #expect(PathCompleter.candidates(for: "logs/a", home: nil, currentDirectory: directory.path)
            == ["logs/archive/", "logs/auth.log", "logs/auth.log.1.gz"])
        #expect(PathCompleter.candidates(for: "~/logs/au", home: directory.path, currentDirectory: "/")
            == ["~/logs/auth.log", "~/logs/auth.log.1.gz"])
        #expect(PathCompleter.candidates(for: directory.path + "/logs/.h", home: nil, currentDirectory: "/")
            == [directory.path + "/logs/.hidden"])
        #expect(PathCompleter.candidates(for: "nowhere/x", home: nil, currentDirectory: directory.path).isEmpty)
    }
}
