import Safeguards
import Testing

/// `OutputSanitizer.isInert`: the check a rendered answer's pieces pass instead of being sanitized a
/// second time. It must say "inert" exactly when sanitizing would change nothing.
@Suite("OutputSanitizer inert check")
struct OutputSanitizerInertTests {
    static func isInert(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { OutputSanitizer.isInert($0) }
    }

    @Test func agreesWithTheSanitizerOnRandomText() {
        var generator = SeededGenerator(seed: 0x1DE7)
        let alphabet = OutputSanitizerFuzzTests.alphabet + Array("abcdef ghij-klm|*`#".unicodeScalars)
        var disagreements: [String] = []
        for _ in 0..<OutputSanitizerFuzzTests.iterations {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &generator) {
                if Int.random(in: 0..<8, using: &generator) == 0 {
                    text += OutputSanitizerFuzzTests.fragments.randomElement(using: &generator)!
                } else {
                    text.unicodeScalars.append(alphabet.randomElement(using: &generator)!)
                }
            }
            let unchanged = OutputSanitizer.sanitize(text) == text
            if Self.isInert(text) != unchanged { disagreements.append(text) }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.first?.debugDescription ?? "")")
    }

    /// The check reads eight ASCII bytes at a time: a control, DEL, a C1 control or a bidi override
    /// is caught at every position of a word and of the tail, and line feeds and tabs pass.
    @Test func catchesAnUnsafeCharacterAtEveryPositionOfALongLine() {
        let unsafe = ["\u{1B}", "\r", "\u{7F}", "\u{9B}", "\u{202E}", "\u{00}", "\u{1F}"]
        let safe = ["\n", "\t", "é", "日", "│"]
        for length in [1, 7, 8, 9, 15, 16, 17, 40] {
            for position in 0..<length {
                for character in unsafe {
                    var text = String(repeating: "x", count: length)
                    let index = text.index(text.startIndex, offsetBy: position)
                    text.replaceSubrange(index...index, with: character)
                    #expect(!Self.isInert(text), "\(character.debugDescription) at \(position) of \(length)")
                }
                for character in safe {
                    var text = String(repeating: "x", count: length)
                    let index = text.index(text.startIndex, offsetBy: position)
                    text.replaceSubrange(index...index, with: character)
                    #expect(Self.isInert(text), "\(character.debugDescription) at \(position) of \(length)")
                }
            }
        }
        #expect(Self.isInert(""))
    }

    /// Bytes that decoding would change (a lone C1 byte, a truncated bidi override, an overlong
    /// slash, a surrogate) are not inert, whatever they would decode to.
    @Test func malformedUTF8IsNotInert() {
        let malformed: [[UInt8]] = [[0x9B], [0xE2, 0x80], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                                    Array("ok ".utf8) + [0xE9], Array("eight ok".utf8) + [0xC3]]
        for bytes in malformed {
            #expect(!bytes.withUnsafeBufferPointer(OutputSanitizer.isInert), "\(bytes)")
        }
        #expect(Array("é 日 │ 😀".utf8).withUnsafeBufferPointer(OutputSanitizer.isInert))
    }

    /// A presentation selector that starts a delta right after a variation selector is neutralised
    /// as it would be in one piece.
    @Test func aSelectorPairSplitAcrossDeltasIsCaughtAsInOnePiece() {
        var sanitizer = OutputSanitizer()
        let split = sanitizer.sanitize("ok \u{FE0F}") + sanitizer.sanitize("\u{FE0F} done") + sanitizer.finish()
        #expect(split == OutputSanitizer.sanitize("ok \u{FE0F}\u{FE0F} done"))
        #expect(split.contains("<U+FE0F>"))
    }
}
