/// Splits text into the tokens that ``IndicatorExtractor`` classifies, working on UTF-8 bytes.
///
/// The tokens are exactly those of `text.split(whereSeparator: IndicatorExtractor.isDelimiter)`,
/// which walks grapheme clusters, as byte ranges of `text.utf8`. Between two ASCII bytes there is
/// always a Character boundary (CR LF aside, and both of those are delimiters), and an ASCII
/// control character is a Character of its own, so those bytes are classified one by one. A
/// stretch with non-ASCII bytes in it (from the ASCII byte just before it, which a combining mark
/// may extend, to the first pair of ASCII bytes after it) is walked Character by Character with
/// ``IndicatorExtractor/isDelimiter(_:)``, so combining marks, prepended marks and Unicode white
/// space split text exactly as in the Character view.
///
/// Use it only while `bytes` (the contiguous UTF-8 of `text`) is valid.
struct IndicatorTokenizer {
    let text: String
    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to look at; always on a Character boundary.
    private(set) var position = 0
    /// The end of the non-ASCII stretch being walked Character by Character, or -1 outside one.
    private var stretchEnd = -1
    /// The end of the run of ASCII bytes being split byte by byte.
    private var asciiEnd = 0
    private let delimiters: (low: UInt64, high: UInt64)

    init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
        self.text = text
        self.bytes = bytes
        delimiters = Self.asciiDelimiters
    }

    /// Bit `b` is set when the ASCII character `b` on its own is a delimiter.
    static let asciiDelimiters: (low: UInt64, high: UInt64) = {
        var low: UInt64 = 0, high: UInt64 = 0
        for byte in 0..<128 where IndicatorExtractor.isDelimiter(Character(Unicode.Scalar(UInt8(byte)))) {
            if byte < 64 { low |= 1 << UInt64(byte) } else { high |= 1 << UInt64(byte - 64) }
        }
        return (low, high)
    }()

    @inline(__always)
    private func isDelimiter(_ byte: UInt8) -> Bool {
        byte < 64 ? delimiters.low & (1 << UInt64(byte)) != 0 : delimiters.high & (1 << UInt64(byte &- 64)) != 0
    }

    /// The byte range of the next token, or `nil` at the end of the text.
    mutating func next() -> Range<Int>? {
        let count = bytes.count
        var start = -1
        while position < count {
            let length: Int
            let delimiter: Bool
            if position < asciiEnd {
                // Byte by byte to the end of the token (or of the run), in locals.
                let end = asciiEnd
                var index = position
                if start < 0 {
                    while index < end, isDelimiter(bytes[index]) { index += 1 }
                    if index < end { start = index }
                }
                if start >= 0 {
                    while index < end, !isDelimiter(bytes[index]) { index += 1 }
                }
                if index < end {
                    position = index + 1  // past the delimiter that ends the token
                    return start..<index
                }
                position = end
                continue
            } else if stretchEnd < 0, case let end = Self.asciiRunEnd(in: bytes, from: position), end > position {
                asciiEnd = end
                continue
            } else {
                // A stretch with non-ASCII bytes: walk the Characters of the text itself.
                if stretchEnd < 0 { stretchEnd = Self.stretchEnd(in: bytes, from: position) }
                let utf8 = text.utf8
                let index = utf8.index(utf8.startIndex, offsetBy: position)
                let after = text.index(after: index)
                length = utf8.distance(from: index, to: after)
                delimiter = IndicatorExtractor.isDelimiter(text[index])
                if position + length >= stretchEnd { stretchEnd = -1 }
            }
            if delimiter {
                if start >= 0 {
                    let token = start..<position
                    position += length
                    return token
                }
            } else if start < 0 {
                start = position
            }
            position += length
        }
        return start >= 0 ? start..<count : nil
    }

    /// The end of the run of ASCII bytes from `start` that are each a Character of their own: all
    /// of them up to the first non-ASCII byte, except the last one when a combining mark could
    /// extend it (it is then walked with the stretch), unless that one is a control character.
    static func asciiRunEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var end = start
        while end < bytes.count, bytes[end] < 0x80 { end += 1 }
        if end == bytes.count || end == start { return end }
        let last = bytes[end - 1]
        return last < 0x20 || last == 0x7F ? end : end - 1
    }

    /// The first offset after `start` that is the end of the text or lies between two ASCII bytes.
    static func stretchEnd(in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var end = start + 1
        while end < bytes.count {
            if bytes[end - 1] < 0x80 && bytes[end] < 0x80 { return end }
            end += 1
        }
        return bytes.count
    }

    /// The tokens of `text` as substrings (for tests and callers without a byte buffer at hand).
    static func tokens(in text: String) -> [Substring] {
        var text = text
        text.makeContiguousUTF8()
        return text.utf8.withContiguousStorageIfAvailable { bytes in
            var tokenizer = IndicatorTokenizer(text: text, bytes: bytes)
            var result: [Substring] = []
            while let range = tokenizer.next() { result.append(tokenizer.substring(range)) }
            return result
        } ?? text.split(whereSeparator: IndicatorExtractor.isDelimiter)
    }

    /// The token at `range` as a substring of ``text``.
    func substring(_ range: Range<Int>) -> Substring {
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let upper = utf8.index(lower, offsetBy: range.count)
        return text[lower..<upper]
    }
}
