@testable import IncidentREPLKit
import Testing

@Suite("Outbound filter")
struct OutboundFilterTests {
    /// Every string of up to five pieces from line feeds, carriage returns, CR LF, a combining mark
    /// and letters: the byte check finds a line break exactly where a scalar search finds LF or CR.
    @Test func findsALineBreakExactlyWhereThereIsALineFeedOrCarriageReturn() {
        let pieces = ["a", "\n", "\r", "\r\n", "\u{301}", "\u{1F600}"]
        var strings = [""]
        var longest = [""]
        for _ in 0..<5 {
            longest = longest.flatMap { prefix in pieces.map { prefix + $0 } }
            strings += longest
        }
        for text in strings {
            let expected = text.unicodeScalars.contains { $0 == "\n" || $0 == "\r" }
            #expect(OutboundFilter.containsLineBreak(text) == expected, "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func fencesMultiLineMessagesOnly() {
        #expect(OutboundFilter.fenced("one line") == "one line")
        // A Windows paste is multi-line too (CR LF is one Character, not "\n").
        #expect(OutboundFilter.fenced("only\r\nCRLF").contains("<<<UNTRUSTED-DATA\nonly\r\nCRLF\nUNTRUSTED-DATA>>>"))
        #expect(OutboundFilter.fenced("two\nlines").contains("<<<UNTRUSTED-DATA\ntwo\nlines\nUNTRUSTED-DATA>>>"))
    }
}
