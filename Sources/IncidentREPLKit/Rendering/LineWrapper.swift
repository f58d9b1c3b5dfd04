/// Word-boundary wrapping of styled text to a width, with a prefix for the first line (a bullet,
/// a quote bar) and another for the lines that follow (the hanging indentation).
///
/// One pass over the UTF-8 of the spans, remembering the last break opportunity (a run of spaces
/// after a word); lines are cut out of the spans only when they are emitted, so a long paragraph
/// costs no allocation per word.
enum LineWrapper {
    /// What starts each wrapped line: `bars` block-quote bars, then `lead` spaces and a list
    /// `marker` (and a space) on the first line, `hanging` spaces on the others.
    struct Prefix {
        var bars = 0
        var lead = 0
        /// Borrowed from the line being rendered, for as long as it is.
        var marker: UnsafeBufferPointer<UInt8>?
        var hanging = 0
        /// The columns of `marker` and its space.
        private var markerColumns = 0

        init(bars: Int = 0, lead: Int = 0, marker: UnsafeBufferPointer<UInt8>? = nil, hanging: Int = 0) {
            self.bars = bars
            self.lead = lead
            self.marker = marker
            self.hanging = hanging
            markerColumns = marker.map { DisplayWidth.columns(of: $0) + 1 } ?? 0
        }

        var firstWidth: Int { 2 * bars + lead + markerColumns }
        var restWidth: Int { 2 * bars + hanging }

        func appendFirst(into line: inout DisplayLines) {
            line.append(repeating: "│ ", count: bars, .dim)
            line.append(repeating: 0x20, count: lead, [])
            if let marker {
                line.append(marker, .dim)
                line.append(" ", .dim)
            }
        }

        func appendRest(into line: inout DisplayLines) {
            line.append(repeating: "│ ", count: bars, .dim)
            line.append(repeating: 0x20, count: hanging, [])
        }
    }

    /// The line being built in `content`, broken at spaces into lines of at most `width` columns (a
    /// word longer than a line is cut), appended to `out` after `prefix`. Leading spaces of the
    /// content are kept; spaces at a break and at the end are dropped.
    static func wrap(_ content: borrowing DisplayLines, width: Int, prefix: Prefix, into out: inout DisplayLines) {
        let width = max(width, 1)
        let range = content.openLineBytes
        let firstWidth = prefix.firstWidth
        content.bytes.withUnsafeBufferPointer { all in
            // Most lines fit: no cutting, only the trailing spaces dropped.
            if firstWidth + DisplayWidth.columns(of: UnsafeBufferPointer(rebasing: all[range])) <= width {
                prefix.appendFirst(into: &out)
                out.append(openLineOf: content, bytes: range)
                out.trimTrailingSpaces()
                out.endLine()
                return
            }
            let restWidth = prefix.restWidth
            var first = true
            var lineStart = range.lowerBound
            var column = firstWidth
            var hasWord = false
            var inSpace = false
            var spaceStart = lineStart
            /// The end of the last word before a space run, where to resume after it, and the column there.
            var lastBreak: (end: Int, resume: Int, column: Int)?

            var offset = range.lowerBound
            while offset < range.upperBound {
                let byte = all[offset]
                // Inside a word, printable ASCII that still fits: one column each, nothing to decide.
                if byte > 0x20, byte < 0x80, !inSpace, hasWord, column < width {
                    offset += 1
                    column += 1
                    while offset < range.upperBound, column < width, all[offset] > 0x20, all[offset] < 0x80 {
                        offset += 1
                        column += 1
                    }
                    continue
                }
                let position = offset
                let length: Int
                let columns: Int
                if byte < 0x80 {
                    length = 1
                    columns = 1
                } else {
                    length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                    var scalar: UInt32 = UInt32(byte) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
                    for index in 1..<length where offset + index < range.upperBound {
                        scalar = scalar << 6 | UInt32(all[offset + index] & 0x3F)
                    }
                    columns = Unicode.Scalar(scalar).map(DisplayWidth.columns(of:)) ?? 1
                }
                offset += length
                if byte == 0x20 {
                    if !inSpace {
                        inSpace = true
                        spaceStart = position
                    }
                    column += 1
                    continue
                }
                if inSpace {
                    inSpace = false
                    if hasWord { lastBreak = (spaceStart, position, column) }
                }
                if hasWord, columns > 0, column + columns > width {
                    if let found = lastBreak {
                        emit(content, lineStart..<found.end, first: first, prefix: prefix, into: &out)
                        lineStart = found.resume
                        column = restWidth + (column - found.column)
                    } else {
                        emit(content, lineStart..<position, first: first, prefix: prefix, into: &out)
                        lineStart = position
                        column = restWidth
                    }
                    first = false
                    lastBreak = nil
                    // A word carried over may itself be too long: cut it where it overflows.
                    if column + columns > width, lineStart != position {
                        emit(content, lineStart..<position, first: false, prefix: prefix, into: &out)
                        lineStart = position
                        column = restWidth
                    }
                }
                column += columns
                hasWord = true
            }
            let end = inSpace && hasWord ? spaceStart : range.upperBound
            emit(content, lineStart..<end, first: first, prefix: prefix, into: &out)
        }
    }

    /// One wrapped line: the prefix, then `bytes` of the content.
    private static func emit(
        _ content: borrowing DisplayLines, _ bytes: Range<Int>, first: Bool, prefix: Prefix,
        into out: inout DisplayLines
    ) {
        if first { prefix.appendFirst(into: &out) } else { prefix.appendRest(into: &out) }
        out.append(openLineOf: content, bytes: bytes)
        out.endLine()
    }
}
