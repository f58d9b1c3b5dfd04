import Safeguards
import Testing

/// Seeded property tests: random text and random bytes, fed in random splits.
///
/// Figures from runs on the shared 2-core build machine (debug build, `swift test`, suites in
/// parallel): 20,000 random strings in 1.2–2.1 s and 20,000 random byte sequences in 3.7–5.6 s,
/// each input 0–64 units, fed once whole and once in 1–6 random pieces; plus all 256 byte values
/// after 5 prefixes. Each run prints its own figures.
@Suite("OutputSanitizer fuzzing")
struct OutputSanitizerFuzzTests {
    static let iterations = 20_000

    /// Scalars the generator draws from: every C0 and C1 control, DEL, all listed bidi and
    /// zero-width code points and their neighbours, multi-byte letters, and escape-sequence pieces.
    static let alphabet: [Unicode.Scalar] = {
        var values: [UInt32] = Array(0x00...0xA0)
        values += Array(0x2009...0x2010) + Array(0x2027...0x202F) + Array(0x205F...0x206A)
        values += [0x061B, 0x061C, 0x061D, 0xFEFE, 0xFEFF, 0xFFFD, 0xE9, 0x20AC, 0x65E5, 0x1F600, 0x301]
        values += [0xAC, 0xAD, 0xAE, 0x115F, 0x1160, 0x180E, 0x3164, 0xFFA0, 0xFFF8, 0xFFF9, 0xFFFB, 0xFFFC]
        values += [0xFDFF, 0xFE00, 0xFE0D, 0xFE0E, 0xFE0F, 0xFE0F, 0xFE0E, 0xE0100, 0xE01EF, 0xE01F0]
        return values.compactMap(Unicode.Scalar.init)
    }()

    static let fragments = ["\u{1B}[", "\u{1B}]", "\u{1B}P", "\u{1B}_", "\u{1B}^", "\u{1B}X", "\u{07}", "\u{1B}\\", "\r\n", "\\u001b"]

    /// The specification written as the simplest possible per-scalar mapping, for comparison.
    static func reference(_ text: String) -> String {
        var output = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            let value = scalar.value
            if value == 0x0D {
                if index + 1 < scalars.count && scalars[index + 1].value == 0x0A { continue }
                output += "^M"
            } else if value == 0x0A || value == 0x09 {
                output.unicodeScalars.append(scalar)
            } else if value < 0x20 {
                output += "^" + String(Unicode.Scalar(UInt8(value) + 0x40))
            } else if value == 0x7F {
                output += "^?"
            } else if isListed(value) || (isPresentationSelector(value) && index > 0 && isSelector(scalars[index - 1].value)) {
                let hex = String(value, radix: 16, uppercase: true)
                output += "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    static func isPresentationSelector(_ value: UInt32) -> Bool {
        value == 0xFE0E || value == 0xFE0F
    }

    static func isSelector(_ value: UInt32) -> Bool {
        (0xFE00...0xFE0F).contains(value) || (0xE0100...0xE01EF).contains(value)
    }

    static func isListed(_ value: UInt32) -> Bool {
        (0x80...0x9F).contains(value) || (0x2028...0x202E).contains(value) || (0x2060...0x206F).contains(value)
            || (0x200B...0x200F).contains(value) || value == 0x061C || value == 0xFEFF
            || [0x00AD, 0x115F, 0x1160, 0x180E, 0x3164, 0xFFA0].contains(value) || (0xFFF9...0xFFFB).contains(value)
            || (0xFE00...0xFE0D).contains(value) || (0xE0100...0xE01EF).contains(value)
    }

    /// The property every output must have: no byte or scalar a terminal would act on.
    static func isInert(_ text: String) -> Bool {
        for byte in text.utf8 where (byte < 0x20 && byte != 0x0A && byte != 0x09) || byte == 0x7F {
            return false
        }
        return !text.unicodeScalars.contains { isListed($0.value) }
    }

    static func randomText(using generator: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        let length = Int.random(in: 0...64, using: &generator)
        while scalars.count < length {
            if Int.random(in: 0..<8, using: &generator) == 0 {
                scalars.append(contentsOf: fragments.randomElement(using: &generator)!.unicodeScalars)
            } else if Bool.random(using: &generator) {
                scalars.append(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator)))
            } else {
                scalars.append(alphabet.randomElement(using: &generator)!)
            }
        }
        return String(scalars)
    }

    /// Cuts `count` units into 1–6 consecutive pieces at random offsets.
    static func randomCuts(count: Int, using generator: inout SeededGenerator) -> [Range<Int>] {
        let pieces = Int.random(in: 1...6, using: &generator)
        let cuts = (0..<(pieces - 1)).map { _ in Int.random(in: 0...count, using: &generator) }.sorted()
        var ranges: [Range<Int>] = []
        var start = 0
        for cut in cuts + [count] {
            ranges.append(start..<cut)
            start = cut
        }
        return ranges
    }

    @Test("Random text in random splits is inert, matches the reference and the one-shot output")
    func randomTextIsInertWhateverTheSplit() {
        var generator = SeededGenerator(seed: 0x5AFE_6A4D)
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<Self.iterations {
            let text = Self.randomText(using: &generator)
            var whole = OutputSanitizer()
            let oneShot = whole.sanitize(text) + whole.finish()

            let scalars = Array(text.unicodeScalars)
            var split = OutputSanitizer()
            var streamed = ""
            for range in Self.randomCuts(count: scalars.count, using: &generator) {
                var piece = String.UnicodeScalarView()
                piece.append(contentsOf: scalars[range])
                streamed += split.sanitize(String(piece))
            }
            streamed += split.finish()

            #expect(Self.isInert(oneShot), "iteration \(iteration): \(text.debugDescription)")
            #expect(streamed == oneShot, "iteration \(iteration): \(text.debugDescription)")
            #expect(oneShot == Self.reference(text), "iteration \(iteration): \(text.debugDescription)")
            #expect(split.neutralisedCount == whole.neutralisedCount)
        }
        print("OutputSanitizer fuzz: \(Self.iterations) random strings in \(clock.now - start)")
    }

    @Test("Random bytes in random splits are inert and match the one-shot output")
    func randomBytesAreInertWhateverTheSplit() {
        var generator = SeededGenerator(seed: 0xB17E5)
        let clock = ContinuousClock()
        let start = clock.now
        for iteration in 0..<Self.iterations {
            let length = Int.random(in: 0...64, using: &generator)
            var bytes: [UInt8] = []
            while bytes.count < length {
                if Int.random(in: 0..<4, using: &generator) == 0 {
                    // A valid encoding of an interesting scalar, so multi-byte cases are common.
                    bytes += Array(String(Self.alphabet.randomElement(using: &generator)!).utf8)
                } else {
                    bytes.append(UInt8.random(in: 0...0xFF, using: &generator))
                }
            }
            var whole = OutputSanitizer()
            let oneShot = whole.sanitize(bytes: bytes) + whole.finish()
            var split = OutputSanitizer()
            var streamed = ""
            for range in Self.randomCuts(count: bytes.count, using: &generator) {
                streamed += split.sanitize(bytes: bytes[range])
            }
            streamed += split.finish()

            #expect(Self.isInert(oneShot), "iteration \(iteration): \(bytes)")
            #expect(streamed == oneShot, "iteration \(iteration): \(bytes)")
            #expect(split.neutralisedCount == whole.neutralisedCount, "iteration \(iteration): \(bytes)")
            #expect(oneShot == Self.reference(String(decoding: bytes, as: UTF8.self)))
        }
        print("OutputSanitizer fuzz: \(Self.iterations) random byte sequences in \(clock.now - start)")
    }

    @Test("Every byte value 0x00–0xFF alone and after a lead byte is handled")
    func everyByteValueIsHandled() {
        for byte in UInt8.min...UInt8.max {
            for prefix: [UInt8] in [[], [0xC2], [0xE2, 0x80], [0xEF, 0xBB], [0xF0, 0x9F, 0x98]] {
                var sanitizer = OutputSanitizer()
                let output = sanitizer.sanitize(bytes: prefix) + sanitizer.sanitize(bytes: [byte]) + sanitizer.finish()
                #expect(Self.isInert(output), "\(prefix) + \(byte)")
                #expect(output == OutputSanitizer.sanitize(String(decoding: prefix + [byte], as: UTF8.self)))
            }
        }
    }
}
