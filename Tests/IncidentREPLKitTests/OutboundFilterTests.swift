@testable import IncidentREPLKit
import Testing

@Suite("Outbound filter")
struct OutboundFilterTests {
    /// Every string of up to five pieces from line feeds, carriage returns, CR LF, a combining mark
    /// and letters: the byte check answers exactly what `contains("\n")` answers over Characters.
    @Test func findsALineBreakExactlyWhereTheCharacterSearchDoes() {
        let pieces = ["a", "\n", "\r", "\r\n", "\u{301}", "\u{1F600}"]
        var strings = [""]
        var longest = [""]
        for _ in 0..<5 {
            longest = longest.flatMap { prefix in pieces.map { prefix + $0 } }
            strings += longest
        }
        for text in strings {
            #expect(OutboundFilter.containsLineBreak(text) == text.contains("\n" as Character), "\(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func fencesMultiLineMessagesOnly() {
        #expect(OutboundFilter.fenced("one line") == "one line")
        #expect(OutboundFilter.fenced("only\r\nCRLF") == "only\r\nCRLF")
        #expect(OutboundFilter.fenced("two\nlines").contains("<<<UNTRUSTED-DATA\ntwo\nlines\nUNTRUSTED-DATA>>>"))
    }
}
