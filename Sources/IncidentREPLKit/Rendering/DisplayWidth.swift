/// How many terminal columns text takes: one per character, two for East Asian wide and emoji
/// characters, none for combining marks. An approximation of `wcwidth` that needs no locale.
enum DisplayWidth {
    /// The columns of `text` (tabs count as one; see ``rowsBelow(afterPrinting:width:)`` for the cursor).
    static func columns(of text: some StringProtocol) -> Int {
        var count = 0
        var allASCII = true
        for byte in text.utf8 where byte >= 0x80 {
            allASCII = false
            break
        }
        if allASCII { return text.utf8.count }
        for scalar in text.unicodeScalars { count += columns(of: scalar) }
        return count
    }

    /// The columns of UTF-8 `bytes`.
    static func columns(of bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var count = 0
        var index = 0
        if let base = bytes.baseAddress {
            // Eight ASCII bytes at a time: one column each.
            let raw = UnsafeRawPointer(base)
            while index + 8 <= bytes.count,
                  raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                index += 8
            }
            count = index
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte < 0x80 {
                count += 1
                index += 1
                continue
            }
            let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            var scalar = UInt32(byte) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
            for offset in 1..<length where index + offset < bytes.count {
                scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F)
            }
            count += Unicode.Scalar(scalar).map(columns(of:)) ?? 1
            index += length
        }
        return count
    }

    static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x300 { return 1 }
        switch value {
        case 0x300...0x36F, 0x200B...0x200F, 0xFE00...0xFE0F, 0x20D0...0x20FF: return 0
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    /// How many rows below the first one the cursor ends on after the UTF-8 `bytes` are printed from
    /// column 0 on a terminal `width` columns wide that wraps long lines (the "pending wrap" of the
    /// last column kept, as xterm and tmux do).
    static func rowsBelow(afterPrinting bytes: UnsafeBufferPointer<UInt8>, width: Int) -> Int {
        let width = max(width, 1)
        // The usual case, a line shorter than the width with no line feed or tab (each byte is at
        // most one column): one row. Checked eight bytes at a time.
        if bytes.count <= width, let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            var index = 0
            var control = false
            while index + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                // A byte below 0x20 (the high bit test excludes bytes at or above 0x80).
                if (word &- 0x2020_2020_2020_2020) & ~word & 0x8080_8080_8080_8080 != 0 {
                    control = true
                    break
                }
                index += 8
            }
            while !control, index < bytes.count {
                control = bytes[index] < 0x20
                index += 1
            }
            if !control { return 0 }
        }
        var rows = 0
        var column = 0
        for byte in bytes {
            switch byte {
            case 0x0A:
                rows += 1
                column = 0
            case 0x09:
                if column < width - 1 { column = min(width - 1, (column / 8 + 1) * 8) }
            case 0..<0x80:
                if column + 1 > width {
                    rows += 1
                    column = 0
                }
                column += 1
            default:
                return rowsByScalar(String(decoding: bytes, as: UTF8.self), width: width)
            }
        }
        return rows
    }

    /// ``rowsBelow(afterPrinting:width:)`` counted scalar by scalar (text with non-ASCII characters).
    private static func rowsByScalar(_ text: String, width: Int) -> Int {
        var rows = 0
        var column = 0
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n":
                rows += 1
                column = 0
            case "\t":
                if column < width - 1 { column = min(width - 1, (column / 8 + 1) * 8) }
            default:
                let columns = columns(of: scalar)
                if columns > 0 {
                    if column + columns > width {
                        rows += 1
                        column = 0
                    }
                    column += columns
                }
            }
        }
        return rows
    }
}
