/// Code points a person cannot see but a model reads: bidi controls, zero-width and other format
/// characters, tag characters ("ASCII smuggling"), interlinear annotation marks, line and
/// paragraph separators, soft hyphens, Hangul fillers and variation selectors.
///
/// Model output shows them through ``OutputSanitizer``; text the analyst typed or pasted is passed
/// through ``reveal(_:)`` before it is sent, so the model reads exactly what the analyst can see.
/// Both use one notation: `<U+XXXX>` per code point, and a run of tag characters decoded as
/// `<hidden tags: "text">` so the analyst can read what was hidden.
public enum InvisibleCharacters {
    /// What ``reveal(_:)`` found and made visible.
    public struct Revealed: Sendable, Equatable {
        /// The text with every invisible code point replaced by its visible notation.
        public var text: String
        /// How many code points were made visible.
        public var count: Int
        /// The decoded text of each run of tag characters, in order.
        public var hiddenTagTexts: [String]

        /// One line for the analyst, or nil when nothing was found.
        public var notice: String? {
            guard count > 0 else { return nil }
            var line = "input: \(count) invisible character\(count == 1 ? "" : "s") made visible before sending"
            if !hiddenTagTexts.isEmpty {
                let shown = hiddenTagTexts.map { "\"" + String($0.prefix(80)) + ($0.count > 80 ? "…" : "") + "\"" }
                line += "; hidden text in tag characters: " + shown.joined(separator: ", ")
            }
            return line
        }
    }

    /// Whether `value` is a tag character (U+E0000–U+E007F).
    @inline(__always)
    public static func isTag(_ value: UInt32) -> Bool { (0xE0000...0xE007F).contains(value) }

    /// Whether `value` is a variation selector (U+FE00–U+FE0F, U+E0100–U+E01EF).
    @inline(__always)
    static func isVariationSelector(_ value: UInt32) -> Bool {
        (0xFE00...0xFE0F).contains(value) || (0xE0100...0xE01EF).contains(value)
    }

    /// Whether `value` is invisible and must be shown. The emoji and text presentation selectors
    /// (U+FE0F, U+FE0E) after a visible character are ordinary and pass; after another selector
    /// (a run that smuggles data) they are shown. C0 and C1 controls are ``OutputSanitizer``'s.
    public static func mustShow(_ value: UInt32, after previous: UInt32?) -> Bool {
        switch value {
        case 0x00AD, 0x061C, 0x115F, 0x1160, 0x180E, 0x3164, 0xFEFF, 0xFFA0: return true
        case 0x200B...0x200F, 0x2028...0x202E, 0x2060...0x206F: return true
        case 0xFFF9...0xFFFB: return true
        case 0xFE0E, 0xFE0F: return previous.map(isVariationSelector) ?? false
        case 0xFE00...0xFE0D, 0xE0100...0xE01EF: return true
        case 0xE0000...0xE007F: return true
        default: return false
        }
    }

    /// `<U+XXXX>` with at least four upper-case hexadecimal digits.
    public static func notation(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    /// The printable character a tag character stands for (U+E0020–U+E007E), if any.
    public static func decodedTag(_ value: UInt32) -> Unicode.Scalar? {
        (0xE0020...0xE007E).contains(value) ? Unicode.Scalar(value - 0xE0000) : nil
    }

    /// The notation of a run of tag characters: `<hidden tags: "text">`, with tags that stand for
    /// no printable character (LANGUAGE TAG, CANCEL TAG) as `<U+E007F>` inside the quotes.
    public static func tagRunNotation(_ values: some Sequence<UInt32>) -> (notation: String, decoded: String) {
        var decoded = ""
        for value in values {
            if let scalar = decodedTag(value) { decoded.unicodeScalars.append(scalar) } else { decoded += notation(value) }
        }
        return ("<hidden tags: \"" + decoded + "\">", decoded)
    }

    /// `text` with every invisible code point made visible, and what was found.
    public static func reveal(_ text: String) -> Revealed {
        // Fast path: every listed code point starts with one of these lead bytes.
        let mayHoldOne = text.utf8.contains { byte in
            switch byte {
            case 0xC2, 0xD8, 0xE1, 0xE2, 0xE3, 0xEF, 0xF3: return true
            default: return false
            }
        }
        guard mayHoldOne else {
            return Revealed(text: text, count: 0, hiddenTagTexts: [])
        }
        var output = String.UnicodeScalarView()
        var count = 0
        var hidden: [String] = []
        var tagRun: [UInt32] = []
        var previous: UInt32?
        func flushTags() {
            guard !tagRun.isEmpty else { return }
            let run = tagRunNotation(tagRun)
            output.append(contentsOf: run.notation.unicodeScalars)
            hidden.append(run.decoded)
            tagRun.removeAll()
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if isTag(value) {
                tagRun.append(value)
                count += 1
            } else {
                flushTags()
                if mustShow(value, after: previous) {
                    output.append(contentsOf: notation(value).unicodeScalars)
                    count += 1
                } else {
                    output.append(scalar)
                }
            }
            previous = value
        }
        flushTags()
        return Revealed(text: count == 0 ? text : String(output), count: count, hiddenTagTexts: hidden)
    }
}
