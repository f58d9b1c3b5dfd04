#if canImport(Glibc)
import Glibc
#endif

/// A small, allocation-light JSON reader for the hot path of streaming: it walks UTF-8 bytes,
/// decodes only the strings it is asked for and skips everything else.
///
/// It exists because `JSONDecoder` costs about 60,000 instructions per streamed delta (generic
/// metadata, a `Data` copy, keyed containers), which caps ingest near 100,000 deltas per second.
/// Decoders use it for the common shapes only and fall back to `JSONDecoder` whenever it reports
/// anything unexpected (it returns `nil` rather than guessing).
struct JSONSkimmer {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Whether a key's raw bytes are `literal` (a plain comparison of bytes, no generic sequence walk).
    static func key(_ key: UnsafeBufferPointer<UInt8>, is literal: StaticString) -> Bool {
        guard key.count == literal.utf8CodeUnitCount else { return false }
        guard let base = key.baseAddress else { return key.isEmpty }
        return memcmp(base, literal.utf8Start, key.count) == 0
    }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    /// Consumes `byte` (after white space); false if something else is there.
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Consumes `null`.
    mutating func consumeNull() -> Bool {
        skipWhitespace()
        guard index + 4 <= bytes.count, bytes[index] == 0x6E, bytes[index + 1] == 0x75, bytes[index + 2] == 0x6C,
              bytes[index + 3] == 0x6C else { return false }
        index += 4
        return true
    }

    /// Iterates the members of an object, calling `member` with each key (as raw bytes, unescaped
    /// keys only) positioned at its value; `member` must consume the value. Nil on malformed input.
    mutating func forEachMember(_ member: (inout JSONSkimmer, UnsafeBufferPointer<UInt8>) -> Bool) -> Bool? {
        guard consume(0x7B) else { return nil }  // {
        if consume(0x7D) { return true }  // }
        while true {
            skipWhitespace()
            guard current == 0x22 else { return nil }
            index += 1
            let start = index
            while index < bytes.count, bytes[index] != 0x22 {
                if bytes[index] == 0x5C { return nil }  // escaped keys: not the hot shape
                index += 1
            }
            guard index < bytes.count else { return nil }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            guard consume(0x3A), member(&self, key) else { return nil }  // :
            if consume(0x2C) { continue }  // ,
            return consume(0x7D) ? true : nil
        }
    }

    /// Iterates the elements of an array; `element` must consume each value.
    mutating func forEachElement(_ element: (inout JSONSkimmer, Int) -> Bool) -> Bool? {
        guard consume(0x5B) else { return nil }  // [
        if consume(0x5D) { return true }
        var position = 0
        while true {
            guard element(&self, position) else { return nil }
            position += 1
            if consume(0x2C) { continue }
            return consume(0x5D) ? true : nil
        }
    }

    /// Reads a string value, unescaping it; nil if the value is not a well-formed string.
    mutating func string() -> String? {
        guard let (raw, hasEscapes) = scanString() else { return nil }
        return hasEscapes ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
    }

    /// Skips a string value without building it; false exactly when ``string()`` would return nil.
    mutating func skipString() -> Bool {
        guard let (raw, hasEscapes) = scanString() else { return false }
        return !hasEscapes || Self.unescape(raw) != nil
    }

    /// Moves past a string value; its raw bytes between the quotes, and whether they hold escapes.
    private mutating func scanString() -> (raw: UnsafeBufferPointer<UInt8>, hasEscapes: Bool)? {
        skipWhitespace()
        guard current == 0x22 else { return nil }
        let start = index + 1
        var end = start  // a local, not `index`: the loop need not store it on every byte
        var hasEscapes = false
        while end < bytes.count {
            let byte = bytes[end]
            if byte == 0x22 { break }
            if byte == 0x5C {
                hasEscapes = true
                end += 2
                continue
            }
            if byte < 0x20 {
                index = end
                return nil
            }
            end += 1
        }
        index = end
        guard end < bytes.count else { return nil }
        index += 1
        return (UnsafeBufferPointer(rebasing: bytes[start..<end]), hasEscapes)
    }

    /// Skips any value; false on malformed input.
    mutating func skipValue() -> Bool {
        skipWhitespace()
        guard let byte = current else { return false }
        switch byte {
        case 0x22:
            return skipString()
        case 0x7B:
            return forEachMember { skimmer, _ in skimmer.skipValue() } != nil
        case 0x5B:
            return forEachElement { skimmer, _ in skimmer.skipValue() } != nil
        default:
            // Numbers, true, false, null.
            let start = index
            while index < bytes.count {
                let c = bytes[index]
                guard (c >= 0x30 && c <= 0x39) || c == 0x2D || c == 0x2B || c == 0x2E || c == 0x65 || c == 0x45
                        || (c >= 0x61 && c <= 0x7A) else { break }
                index += 1
            }
            return index > start
        }
    }

    static func unescape(_ raw: UnsafeBufferPointer<UInt8>) -> String? {
        var scalars = String.UnicodeScalarView()
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var i = 0
        func flush() {
            if !output.isEmpty {
                scalars.append(contentsOf: String(decoding: output, as: UTF8.self).unicodeScalars)
                output.removeAll(keepingCapacity: true)
            }
        }
        func hex(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for k in at..<at + 4 {
                let c = raw[k]
                let digit: UInt8
                switch c {
                case 0x30...0x39: digit = c - 0x30
                case 0x41...0x46: digit = c - 0x41 + 10
                case 0x61...0x66: digit = c - 0x61 + 10
                default: return nil
                }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == 0x5C else {
                output.append(byte)
                i += 1
                continue
            }
            guard i + 1 < raw.count else { return nil }
            let escape = raw[i + 1]
            i += 2
            switch escape {
            case 0x22: output.append(0x22)
            case 0x5C: output.append(0x5C)
            case 0x2F: output.append(0x2F)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75:
                guard var value = hex(i) else { return nil }
                i += 4
                if (0xD800...0xDBFF).contains(value) {
                    // A surrogate pair: \uD83D\uDE00.
                    if i + 6 <= raw.count, raw[i] == 0x5C, raw[i + 1] == 0x75, let low = hex(i + 2), (0xDC00...0xDFFF).contains(low) {
                        value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    } else {
                        value = 0xFFFD
                    }
                } else if (0xDC00...0xDFFF).contains(value) {
                    value = 0xFFFD
                }
                flush()
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default:
                return nil
            }
        }
        flush()
        return String(scalars)
    }
}
