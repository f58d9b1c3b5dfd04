import Safeguards
import Testing

/// Feeds `deltas` through one streaming sanitiser and returns everything it printed.
private func stream(_ deltas: [String]) -> (text: String, neutralised: Int) {
    var sanitizer = OutputSanitizer()
    var output = ""
    for delta in deltas { output += sanitizer.sanitize(delta) }
    output += sanitizer.finish()
    return (output, sanitizer.neutralisedCount)
}

/// Whether the text still contains a byte or scalar that a terminal would interpret.
private func containsActiveControl(_ text: String) -> Bool {
    text.unicodeScalars.contains { scalar in
        let value = scalar.value
        return (value < 0x20 && value != 0x0A && value != 0x09) || (0x7F...0x9F).contains(value)
            || [0x061C, 0x200E, 0x200F, 0x2060, 0xFEFF].contains(value)
            || (0x200B...0x200D).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value)
    }
}

@Suite("OutputSanitizer")
struct OutputSanitizerTests {
    // MARK: security.md checklist 1–10

    @Test("1: OSC 52 clipboard write is shown as caret text")
    func osc52ClipboardWriteIsShownInert() {
        let result = stream(["a\u{1B}]52;c;ZXZpbA==\u{07}b"])
        #expect(result.text == "a^[]52;c;ZXZpbA==^Gb")
        #expect(!result.text.utf8.contains(0x1B))
        #expect(!result.text.utf8.contains(0x07))
        #expect(result.neutralised == 2)
    }

    @Test("2: OSC 8 hyperlink loses its ESC and shows the hidden target")
    func osc8HyperlinkShowsItsTarget() {
        let output = OutputSanitizer.sanitize("\u{1B}]8;;http://evil\u{1B}\\click\u{1B}]8;;\u{1B}\\")
        #expect(!output.utf8.contains(0x1B))
        #expect(output.contains("http://evil"))
        #expect(output == "^[]8;;http://evil^[\\click^[]8;;^[\\")
    }

    @Test(
        "3: title, cursor report, conceal and full reset sequences are inert",
        arguments: [
            ("\u{1B}]0;pwned\u{07}", "^[]0;pwned^G"),
            ("\u{1B}[6n", "^[[6n"),
            ("x\u{1B}[8my", "x^[[8my"),
            ("\u{1B}c", "^[c"),
        ])
    func commonSequencesAreInert(input: String, expected: String) {
        #expect(OutputSanitizer.sanitize(input) == expected)
    }

    @Test("4: cursor-back and erase cannot hide the rest of a command")
    func cursorMovesCannotHideText() {
        let output = OutputSanitizer.sanitize("echo ok \u{1B}[24D\u{1B}[K rm -rf")
        #expect(output == "echo ok ^[[24D^[[K rm -rf")
        #expect(output.hasSuffix(" rm -rf"))
    }

    @Test("5: 8-bit C1 CSI, OSC and ST are shown as code points")
    func eightBitControlsAreShownAsCodePoints() {
        #expect(OutputSanitizer.sanitize("\u{9B}2J") == "<U+009B>2J")
        #expect(OutputSanitizer.sanitize("\u{9D}52;c;x\u{9C}") == "<U+009D>52;c;x<U+009C>")
    }

    @Test("6: CR and BS are visible, CRLF becomes LF")
    func carriageReturnAndBackspaceAreVisible() {
        #expect(OutputSanitizer.sanitize("fake\rREAL") == "fake^MREAL")
        #expect(OutputSanitizer.sanitize("abc\u{08}\u{08}\u{08}xyz") == "abc^H^H^Hxyz")
        #expect(OutputSanitizer.sanitize("line1\r\nline2\r\n") == "line1\nline2\n")
    }

    @Test("7: bidi override and zero-width space are shown as code points")
    func bidiAndZeroWidthAreVisible() {
        #expect(OutputSanitizer.sanitize("\u{202E}exe.txt") == "<U+202E>exe.txt")
        #expect(OutputSanitizer.sanitize("pay\u{200B}pal") == "pay<U+200B>pal")
    }

    @Test("8: ESC split from its sequence never reaches the output", arguments: ["[2J", "]52;c;eA==\u{07}", "c"])
    func escapeAloneInOneDeltaIsNeutralised(rest: String) {
        var sanitizer = OutputSanitizer()
        let first = sanitizer.sanitize("\u{1B}")
        let second = sanitizer.sanitize(rest)
        let tail = sanitizer.finish()
        #expect(first == "^[")
        #expect(!(first + second + tail).utf8.contains(0x1B))
        #expect(first + second + tail == OutputSanitizer.sanitize("\u{1B}" + rest))
    }

    @Test("9: the literal characters \\u001b stay literal")
    func escapedSpellingStaysLiteral() {
        for literal in ["\\u001b[2J", "\\x1b[31m", "\\033[K", "\\e]52;c;x"] {
            #expect(OutputSanitizer.sanitize(literal) == literal)
        }
    }

    @Test("10: an API error body with ESC is sanitised in one shot")
    func errorBodyIsSanitised() {
        let body = #"{"error":{"message":"bad model \#u{1B}[2J\#u{1B}]0;owned\#u{07}"}}"#
        let output = OutputSanitizer.sanitize(body)
        #expect(!containsActiveControl(output))
        #expect(output == #"{"error":{"message":"bad model ^[[2J^[]0;owned^G"}}"#)
    }

    // MARK: Splitting

    @Test("A sequence split at every position across two deltas gives the one-shot output")
    func everySplitPositionMatchesOneShot() {
        let samples = [
            "a\u{1B}]52;c;ZXZpbA==\u{07}b", "x\r\ny", "fake\rREAL", "\u{9B}2J\u{202E}abc\u{FEFF}",
            "e\u{301}\u{1F600}\u{2066}\u{200D}\u{061C}z", "\r\r\n\r",
        ]
        for sample in samples {
            let expected = OutputSanitizer.sanitize(sample)
            let scalars = Array(sample.unicodeScalars)
            for cut in 0...scalars.count {
                var head = String.UnicodeScalarView()
                head.append(contentsOf: scalars[..<cut])
                var tail = String.UnicodeScalarView()
                tail.append(contentsOf: scalars[cut...])
                let result = stream([String(head), String(tail)])
                #expect(result.text == expected, "cut \(cut) of \(sample.debugDescription)")
                #expect(!containsActiveControl(result.text))
            }
        }
    }

    @Test("CR at the end of one delta and LF at the start of the next become one LF")
    func carriageReturnHeldBackAcrossDeltas() {
        var sanitizer = OutputSanitizer()
        #expect(sanitizer.sanitize("one\r") == "one")
        #expect(sanitizer.sanitize("\ntwo") == "\ntwo")
        #expect(sanitizer.finish() == "")
        #expect(sanitizer.neutralisedCount == 0)
    }

    @Test("A trailing CR is shown as ^M by finish or by a following non-LF delta")
    func trailingCarriageReturnIsFlushed() {
        var sanitizer = OutputSanitizer()
        #expect(sanitizer.sanitize("a\r") == "a")
        #expect(sanitizer.sanitize("") == "")
        #expect(sanitizer.sanitize("b") == "^Mb")
        #expect(sanitizer.sanitize("c\r") == "c")
        #expect(sanitizer.finish() == "^M")
        #expect(sanitizer.neutralisedCount == 2)
    }

    // MARK: Byte path

    @Test("A multi-byte character split across byte chunks is reassembled")
    func splitUTF8IsReassembled() {
        let bytes = Array("é€😀\u{202E}".utf8)
        for cut in 0...bytes.count {
            var sanitizer = OutputSanitizer()
            let output = sanitizer.sanitize(bytes: bytes[..<cut]) + sanitizer.sanitize(bytes: bytes[cut...])
                + sanitizer.finish()
            #expect(output == "é€😀<U+202E>", "cut \(cut)")
        }
    }

    @Test("Invalid UTF-8 becomes U+FFFD and is counted")
    func invalidUTF8BecomesReplacementCharacter() {
        var sanitizer = OutputSanitizer()
        let output = sanitizer.sanitize(bytes: [0x61, 0xFF, 0x62, 0xC0, 0xAF]) + sanitizer.finish()
        #expect(output == "a\u{FFFD}b\u{FFFD}\u{FFFD}")
        #expect(sanitizer.neutralisedCount == 3)
    }

    @Test("An incomplete character at the end of the stream becomes U+FFFD on finish")
    func truncatedUTF8IsFlushedOnFinish() {
        var sanitizer = OutputSanitizer()
        #expect(sanitizer.sanitize(bytes: [0x41, 0xE2, 0x82]) == "A")
        #expect(sanitizer.finish() == "\u{FFFD}")
        #expect(sanitizer.hasNeutralised)
    }

    @Test("Raw 8-bit C1 CSI byte sequence and ESC on the byte path are neutralised")
    func controlBytesAreNeutralised() {
        let output = OutputSanitizer().sanitizing(bytes: [0x1B, 0x5B, 0x32, 0x4A, 0xC2, 0x9B, 0x7F, 0x00])
        #expect(output == "^[[2J<U+009B>^?^@")
    }

    // MARK: Fast path and counting

    @Test("Clean text comes back unchanged and counts nothing")
    func cleanTextIsUnchanged() {
        var sanitizer = OutputSanitizer()
        // (U+2028 used to be here; line and paragraph separators are now shown, see InvisibleCharactersTests.)
        let text = "Plain ASCII\twith tab\nand “quotes” — ünïcödé 😀 日本語 ⚠️"
        #expect(sanitizer.sanitize(text) == text)
        #expect(sanitizer.neutralisedCount == 0)
        #expect(!sanitizer.hasNeutralised)
    }

    @Test("Every listed C0 control gets caret notation", arguments: Array(UInt8(0)...UInt8(0x1F)))
    func c0ControlsUseCaretNotation(byte: UInt8) {
        let input = "<" + String(UnicodeScalar(byte)) + ">"
        let output = OutputSanitizer.sanitize(input)
        switch byte {
        case 0x0A, 0x09: #expect(output == input)
        default: #expect(output == "<^" + String(UnicodeScalar(byte + 0x40)) + ">")
        }
    }

    @Test("Every listed bidi and zero-width code point is shown as <U+XXXX>")
    func listedFormatCharactersAreVisible() {
        let values: [UInt32] =
            Array(0x202A...0x202E) + Array(0x2066...0x2069) + [0x200E, 0x200F, 0x061C]
            + Array(0x200B...0x200D) + [0x2060, 0xFEFF] + Array(0x80...0x9F)
        for value in values {
            let scalar = Unicode.Scalar(value)!
            let hex = String(value, radix: 16, uppercase: true)
            let expected = "<U+" + String(repeating: "0", count: 4 - hex.count) + hex + ">"
            #expect(OutputSanitizer.sanitize("a" + String(scalar) + "b") == "a" + expected + "b")
        }
    }

    @Test("Neighbouring code points that are harmless are left alone")
    func neighboursAreNotNeutralised() {
        // U+2029 and U+2065/U+206A used to be here: separators and the U+2060 block are now shown.
        let harmless = "\u{A0}\u{A9}\u{AC}\u{AE}\u{200A}\u{2010}\u{2027}\u{205F}\u{2070}\u{FEFE}\u{FFF8}\u{FFFC}\u{FFFD}\u{061B}\u{0600}\u{E0080}\u{E01F0}"
        #expect(OutputSanitizer.sanitize(harmless) == harmless)
    }
}

extension OutputSanitizer {
    /// Test helper: sanitises one byte chunk and finishes.
    fileprivate func sanitizing(bytes: [UInt8]) -> String {
        var copy = self
        return copy.sanitize(bytes: bytes) + copy.finish()
    }
}
