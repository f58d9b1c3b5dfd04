extension OutputSanitizer {
    /// Whether `bytes` are already safe to write: the sanitizer would leave them as they are (printable
    /// ASCII, line feeds, tabs, and well-formed UTF-8 for characters it does not neutralise).
    ///
    /// For text that was sanitized before it was cut up and styled (a rendered answer): checking is
    /// cheaper than sanitizing again, eight ASCII bytes at a time.
    public static func isInert(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        let count = bytes.count
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = 0
        while index < count {
            if index + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // No byte at or above 0x80, below 0x20, or equal to 0x7F: eight printable characters.
                let control = (word &- 0x20 &* ones) & ~word & highs
                let deleteCheck = word ^ (0x7F &* ones)
                let delete = (deleteCheck &- ones) & ~deleteCheck & highs
                if (word & highs) | control | delete == 0 {
                    index += 8
                    continue
                }
            }
            let byte = bytes[index]
            if byte >= 0x20 && byte < 0x7F || byte == 0x0A || byte == 0x09 {
                index += 1
            } else if byte >= 0x80 {
                // Non-ASCII text: well-formed, and the sanitizer's own scan decides (what came before
                // is ASCII).
                let rest = UnsafeBufferPointer(rebasing: bytes[index...])
                return isWellFormedUTF8(rest) && firstUnsafeOffset(in: rest) == nil
            } else {
                return false
            }
        }
        return true
    }

    /// Whether `bytes` are well-formed UTF-8: no stray continuation byte, no truncated, overlong or
    /// surrogate sequence, nothing above U+10FFFF (what decoding would turn into U+FFFD).
    static func isWellFormedUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lowest: UInt8 = 0x80, highest: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lowest = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; highest = 0x9F
            case 0xF0: length = 4; lowest = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; highest = 0x8F
            default: return false
            }
            guard index + length <= bytes.count, (lowest...highest).contains(bytes[index + 1]) else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
