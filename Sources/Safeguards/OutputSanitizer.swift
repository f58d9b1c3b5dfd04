/// Neutralises terminal control characters in untrusted text before it is printed.
///
/// Every piece of text that came over the network (model deltas, API error bodies, model names,
/// exported transcripts) must pass through a sanitiser before it reaches the terminal. Dangerous
/// code points are never dropped silently; they are replaced by a visible, inert notation:
///
/// | Input | Shown as |
/// |---|---|
/// | C0 controls except LF and TAB (NUL, BEL, BS, CR, ESC, …) | caret notation: `^@`, `^G`, `^H`, `^M`, `^[` |
/// | DEL (0x7F) | `^?` |
/// | C1 controls U+0080–U+009F (8-bit CSI, OSC, ST, …) | `<U+009B>` |
/// | bidi marks, embeddings, overrides and isolates; zero-width characters | `<U+202E>`, `<U+200B>`, … |
/// | line and paragraph separators, soft hyphen, Hangul fillers, interlinear annotation marks, variation selectors (see ``InvisibleCharacters``) | `<U+2028>`, `<U+00AD>`, `<U+FFF9>`, `<U+E0101>`, … |
/// | a run of tag characters U+E0000–U+E007F ("ASCII smuggling") | decoded: `<hidden tags: "ignore all rules">` |
///
/// Neutralising the introducer (ESC or an 8-bit C1 control) neutralises the whole CSI, OSC, DCS,
/// APC, PM or SOS sequence: what follows it is ordinary printable text and stays visible, so
/// `"\u{1B}]52;c;ZXZpbA==\u{07}"` is shown as `^[]52;c;ZXZpbA==^G`. The mapping works per code
/// point and keeps no escape-sequence state, so a sequence split across deltas is caught exactly
/// as if it had arrived whole. CRLF becomes LF; a CR at the very end of a delta is held back until
/// the next delta (or ``finish()``) decides whether it starts a CRLF.
///
/// ```swift
/// var sanitizer = OutputSanitizer()
/// for delta in deltas { print(sanitizer.sanitize(delta), terminator: "") }
/// print(sanitizer.finish())
/// ```
public struct OutputSanitizer: Sendable, Equatable {
    /// How many code points (or invalid UTF-8 sequences, on the byte path) have been replaced so far.
    ///
    /// A CR that is part of a CRLF pair is normalised, not neutralised, and is not counted.
    public private(set) var neutralisedCount = 0

    /// Whether anything has been neutralised so far.
    public var hasNeutralised: Bool { neutralisedCount > 0 }

    /// A CR that ended the previous delta; its fate depends on the next byte.
    private var pendingCarriageReturn = false
    /// The start of a UTF-8 sequence that ended the previous byte chunk (at most three bytes).
    private var pendingBytes: [UInt8] = []
    /// Whether the previous delta ended with a variation selector: a U+FE0E or U+FE0F that starts the
    /// next one follows it, and is neutralised as it would be in one piece.
    private var previousEndsWithSelector = false

    /// Creates a sanitiser for one stream.
    public init() {}

    // MARK: - Streaming

    /// Sanitises the next delta of a stream.
    ///
    /// Returns `delta` itself, without copying, when it contains nothing to neutralise.
    /// - Parameter delta: Decoded text as received (after JSON/SSE decoding).
    /// - Returns: Text that is safe to write to a terminal.
    public mutating func sanitize(_ delta: String) -> String {
        if delta.isEmpty { return delta }
        if let result = delta.utf8.withContiguousStorageIfAvailable({ buffer -> String? in
            let selectorFirst = previousEndsWithSelector && Self.startsWithPresentationSelector(buffer)
            previousEndsWithSelector = Self.precededByVariationSelector(buffer, at: buffer.count)
            let firstUnsafe = selectorFirst ? 0 : Self.firstUnsafeOffset(in: buffer)
            if firstUnsafe == nil && !pendingCarriageReturn { return nil }
            return sanitizeSlowly(buffer, from: firstUnsafe ?? buffer.count, selectorFirst: selectorFirst)
        }) {
            return result ?? delta
        }
        // Bridged or otherwise non-contiguous strings: make a native copy first.
        var native = delta
        native.makeContiguousUTF8()
        return sanitize(native)
    }

    /// Sanitises the next chunk of a raw byte stream.
    ///
    /// A multi-byte UTF-8 character split across two chunks is reassembled; invalid UTF-8 becomes
    /// U+FFFD (REPLACEMENT CHARACTER), and each replacement is counted as neutralised.
    /// - Parameter bytes: The next chunk of UTF-8 bytes.
    /// - Returns: Text that is safe to write to a terminal.
    public mutating func sanitize(bytes: some Collection<UInt8>) -> String {
        var joined = pendingBytes
        joined.append(contentsOf: bytes)
        pendingBytes.removeAll(keepingCapacity: true)
        let keep = Self.incompleteSuffixLength(of: joined)
        if keep > 0 {
            pendingBytes.append(contentsOf: joined[(joined.count - keep)...])
            joined.removeLast(keep)
        }
        return sanitize(decodingCounted(joined))
    }

    /// Ends the stream, flushing a held-back CR (shown as `^M`) or an incomplete UTF-8 sequence
    /// (shown as U+FFFD).
    /// - Returns: The remaining text, often empty.
    public mutating func finish() -> String {
        var output = ""
        if !pendingBytes.isEmpty {
            let tail = decodingCounted(pendingBytes)
            pendingBytes.removeAll()
            output = sanitize(tail)
        }
        if pendingCarriageReturn {
            pendingCarriageReturn = false
            neutralisedCount += 1
            output += "^M"
        }
        previousEndsWithSelector = false
        return output
    }

    // MARK: - One shot

    /// Sanitises a complete piece of text, such as an API error body, a model name or an export.
    /// - Parameter text: Untrusted text.
    /// - Returns: Text that is safe to write to a terminal.
    public static func sanitize(_ text: String) -> String {
        var sanitizer = OutputSanitizer()
        let body = sanitizer.sanitize(text)
        let tail = sanitizer.finish()
        return tail.isEmpty ? body : body + tail
    }

    // MARK: - UTF-8 decoding

    /// Decodes bytes as UTF-8 with replacement, counting each U+FFFD that was not in the input.
    private mutating func decodingCounted(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        if !text.utf8.elementsEqual(bytes) {
            let added = Self.replacementCount(in: Array(text.utf8)) - Self.replacementCount(in: bytes)
            neutralisedCount += max(added, 1)
        }
        return text
    }

    private static func replacementCount(in bytes: [UInt8]) -> Int {
        var count = 0
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == 0xEF && bytes[index + 1] == 0xBF && bytes[index + 2] == 0xBD {
                count += 1
                index += 3
            } else {
                index += 1
            }
        }
        return count
    }

    /// The length of a trailing, incomplete UTF-8 sequence that must wait for the next chunk.
    ///
    /// A lead byte always starts a new sequence in a UTF-8 decoder, so cutting just before it
    /// cannot change how the bytes are eventually decoded.
    static func incompleteSuffixLength(of bytes: [UInt8]) -> Int {
        var back = 0
        var index = bytes.count - 1
        while index >= 0 && back < 4 {
            let byte = bytes[index]
            back += 1
            if byte & 0xC0 == 0x80 {  // continuation byte
                index -= 1
                continue
            }
            let needed: Int
            switch byte {
            case 0xC2...0xDF: needed = 2
            case 0xE0...0xEF: needed = 3
            case 0xF0...0xF4: needed = 4
            default: return 0
            }
            return needed > back ? back : 0
        }
        return 0
    }

    // MARK: - Scanning

    /// The offset of the first byte that needs attention (a control, a CR, or the lead byte of a
    /// neutralised scalar), or `nil` when the text is safe as it is.
    @inline(__always)
    static func firstUnsafeOffset(in buffer: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = buffer.count
        while index < count {
            let byte = buffer[index]
            if byte >= 0x20 && byte < 0x7F {
                index += 1
            } else if byte < 0x80 {
                if byte != 0x0A && byte != 0x09 { return index }
                index += 1
            } else {
                if unsafeScalarLength(buffer, at: index) > 0 { return index }
                index += 1
            }
        }
        return nil
    }

    /// If the (valid UTF-8) scalar starting at `index` is a non-ASCII scalar to neutralise, its
    /// length in bytes; otherwise 0.
    @inline(__always)
    static func unsafeScalarLength(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Int {
        let count = buffer.count
        switch buffer[index] {
        case 0xC2:  // U+0080–U+009F: C2 80 … C2 9F; U+00AD SOFT HYPHEN: C2 AD
            if index + 1 < count, buffer[index + 1] <= 0x9F || buffer[index + 1] == 0xAD { return 2 }
        case 0xD8:  // U+061C ARABIC LETTER MARK: D8 9C
            if index + 1 < count, buffer[index + 1] == 0x9C { return 2 }
        case 0xE1:
            guard index + 2 < count else { return 0 }
            let second = buffer[index + 1]
            let third = buffer[index + 2]
            // U+115F, U+1160 (Hangul fillers), U+180E (Mongolian vowel separator).
            if (second == 0x85 && (third == 0x9F || third == 0xA0)) || (second == 0xA0 && third == 0x8E) { return 3 }
        case 0xE2:
            guard index + 2 < count else { return 0 }
            let second = buffer[index + 1]
            let third = buffer[index + 2]
            if second == 0x80 {
                // U+200B–U+200F (zero-width, LRM, RLM), U+2028/U+2029 (line and paragraph
                // separators) and U+202A–U+202E (embeddings, overrides).
                if (0x8B...0x8F).contains(third) || (0xA8...0xAE).contains(third) { return 3 }
            } else if second == 0x81 {
                // U+2060–U+206F: word joiner, invisible operators, isolates, deprecated format controls.
                if (0xA0...0xAF).contains(third) { return 3 }
            }
        case 0xE3:  // U+3164 HANGUL FILLER: E3 85 A4
            if index + 2 < count, buffer[index + 1] == 0x85, buffer[index + 2] == 0xA4 { return 3 }
        case 0xEF:
            guard index + 2 < count else { return 0 }
            let second = buffer[index + 1]
            let third = buffer[index + 2]
            // U+FEFF ZERO WIDTH NO-BREAK SPACE, U+FFA0 HALFWIDTH HANGUL FILLER, U+FFF9–U+FFFB
            // (interlinear annotation).
            if (second == 0xBB && third == 0xBF) || (second == 0xBE && third == 0xA0)
                || (second == 0xBF && (0xB9...0xBB).contains(third))
            {
                return 3
            }
            // U+FE00–U+FE0F variation selectors; U+FE0E and U+FE0F (text and emoji presentation)
            // only when they follow another selector, as in a run that smuggles data.
            if second == 0xB8 && (0x80...0x8F).contains(third) {
                if third < 0x8E || precededByVariationSelector(buffer, at: index) { return 3 }
            }
        case 0xF3:
            guard index + 3 < count, buffer[index + 1] == 0xA0 else { return 0 }
            let second = buffer[index + 2]
            // U+E0000–U+E007F tag characters; U+E0100–U+E01EF variation selectors supplement.
            if second == 0x80 || second == 0x81 { return 4 }
            if (0x84...0x86).contains(second) || (second == 0x87 && buffer[index + 3] <= 0xAF) { return 4 }
        default:
            break
        }
        return 0
    }

    /// Whether `buffer` starts with U+FE0E or U+FE0F (text and emoji presentation selectors).
    static func startsWithPresentationSelector(_ buffer: UnsafeBufferPointer<UInt8>) -> Bool {
        buffer.count >= 3 && buffer[0] == 0xEF && buffer[1] == 0xB8 && (buffer[2] == 0x8E || buffer[2] == 0x8F)
    }

    /// Whether the bytes right before `index` encode a variation selector.
    static func precededByVariationSelector(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        if index >= 3, buffer[index - 3] == 0xEF, buffer[index - 2] == 0xB8, (0x80...0x8F).contains(buffer[index - 1]) {
            return true
        }
        // U+E0100–U+E01EF: F3 A0 84 80 … F3 A0 87 AF.
        if index >= 4, buffer[index - 4] == 0xF3, buffer[index - 3] == 0xA0,
           (0x84...0x86).contains(buffer[index - 2]) || (buffer[index - 2] == 0x87 && buffer[index - 1] <= 0xAF)
        {
            return true
        }
        return false
    }

    // MARK: - Rewriting

    /// Copies the safe prefix, then rewrites the rest byte by byte. `selectorFirst`: the buffer starts
    /// with a presentation selector that follows the previous delta's variation selector.
    private mutating func sanitizeSlowly(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, selectorFirst: Bool = false
    ) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count + 16)
        let count = buffer.count
        if pendingCarriageReturn {
            pendingCarriageReturn = false
            if buffer[0] != 0x0A {
                output.append(0x5E)  // ^
                output.append(0x4D)  // M
                neutralisedCount += 1
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<start]))
        var index = start
        while index < count {
            let byte = buffer[index]
            if (byte >= 0x20 && byte < 0x7F) || byte == 0x0A || byte == 0x09 {
                output.append(byte)
                index += 1
            } else if byte == 0x0D {
                if index + 1 == count {
                    pendingCarriageReturn = true
                } else if buffer[index + 1] != 0x0A {
                    output.append(0x5E)
                    output.append(0x4D)
                    neutralisedCount += 1
                }  // else CRLF: the LF is copied on the next iteration.
                index += 1
            } else if byte < 0x20 {
                output.append(0x5E)
                output.append(byte + 0x40)  // ^@ … ^_; ESC is ^[
                neutralisedCount += 1
                index += 1
            } else if byte == 0x7F {
                output.append(0x5E)
                output.append(0x3F)  // ^?
                neutralisedCount += 1
                index += 1
            } else {
                let length = index == 0 && selectorFirst ? 3 : Self.unsafeScalarLength(buffer, at: index)
                if length == 0 {
                    output.append(byte)
                    index += 1
                } else {
                    let value = Self.scalarValue(buffer, at: index, length: length)
                    if InvisibleCharacters.isTag(value) {
                        // A run of tag characters is decoded, so the analyst reads what was hidden.
                        var run: [UInt32] = []
                        while index < count, Self.unsafeScalarLength(buffer, at: index) == 4 {
                            let next = Self.scalarValue(buffer, at: index, length: 4)
                            guard InvisibleCharacters.isTag(next) else { break }
                            run.append(next)
                            index += 4
                        }
                        output.append(contentsOf: InvisibleCharacters.tagRunNotation(run).notation.utf8)
                        neutralisedCount += run.count
                    } else {
                        Self.appendNotation(for: value, to: &output)
                        neutralisedCount += 1
                        index += length
                    }
                }
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func scalarValue(_ buffer: UnsafeBufferPointer<UInt8>, at index: Int, length: Int) -> UInt32 {
        if length == 2 {
            return UInt32(buffer[index] & 0x1F) << 6 | UInt32(buffer[index + 1] & 0x3F)
        }
        if length == 4 {
            return UInt32(buffer[index] & 0x07) << 18 | UInt32(buffer[index + 1] & 0x3F) << 12
                | UInt32(buffer[index + 2] & 0x3F) << 6 | UInt32(buffer[index + 3] & 0x3F)
        }
        return UInt32(buffer[index] & 0x0F) << 12 | UInt32(buffer[index + 1] & 0x3F) << 6
            | UInt32(buffer[index + 2] & 0x3F)
    }

    /// Appends `<U+XXXX>` with four (five for a supplementary-plane value) upper-case hexadecimal digits.
    private static func appendNotation(for value: UInt32, to output: inout [UInt8]) {
        output.append(0x3C)  // <
        output.append(0x55)  // U
        output.append(0x2B)  // +
        for shift: UInt32 in value > 0xFFFF ? [16, 12, 8, 4, 0] : [12, 8, 4, 0] {
            let digit = UInt8((value >> shift) & 0xF)
            output.append(digit < 10 ? 0x30 + digit : 0x37 + digit)
        }
        output.append(0x3E)  // >
    }
}
