extension OutputSanitizer {
    /// Whether `bytes` are already safe to write: the sanitizer would leave them as they are (printable
    /// ASCII, line feeds, tabs, and non-ASCII characters it does not neutralise).
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
                // Non-ASCII text: the sanitizer's own scan decides (what came before is ASCII).
                return firstUnsafeOffset(in: UnsafeBufferPointer(rebasing: bytes[index...])) == nil
            } else {
                return false
            }
        }
        return true
    }
}
