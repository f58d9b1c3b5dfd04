/// Word-boundary wrapping of styled text to a width, with a prefix for the first line (a bullet,
/// a quote bar) and another for the lines that follow (the hanging indentation).
///
/// One pass over the UTF-8 of the spans, remembering the last break opportunity (a run of spaces
/// after a word); lines are cut out of the spans only when they are emitted, so a long paragraph
/// costs no allocation per word.
enum LineWrapper {
    private struct Position: Equatable {
        var span: Int
        var offset: Int
    }

    /// `content` broken at spaces into lines of at most `width` columns (a word longer than a line is
    /// cut). Leading spaces of the content are kept; spaces at a break and at the end are dropped.
    static func wrap(
        _ content: DisplayLine, width: Int, firstPrefix: DisplayLine = DisplayLine(), restPrefix: DisplayLine = DisplayLine()
    ) -> [DisplayLine] {
        let width = max(width, 1)
        // Most lines fit: no cutting, only the trailing spaces dropped.
        if firstPrefix.width + content.width <= width {
            var line = firstPrefix
            line.append(contentsOf: content)
            while let last = line.spans.indices.last, line.spans[last].text.utf8.last == 0x20 {
                line.spans[last].text.removeLast()
                if line.spans[last].text.isEmpty { line.spans.removeLast() }
            }
            return [line]
        }
        let bytes = content.spans.map { Array($0.text.utf8) }
        let end = Position(span: bytes.count, offset: 0)
        var lines: [DisplayLine] = []
        var prefix = firstPrefix
        var lineStart = Position(span: 0, offset: 0)
        var column = firstPrefix.width
        var hasWord = false
        var inSpace = false
        var spaceStart = lineStart
        /// The end of the last word before a space run, where to resume after it, and the column there.
        var lastBreak: (end: Position, resume: Position, column: Int)?

        func emit(_ from: Position, _ to: Position) {
            var line = prefix
            var span = from.span
            while span < bytes.count, span <= to.span {
                let start = span == from.span ? from.offset : 0
                let stop = span == to.span ? to.offset : bytes[span].count
                if start < stop {
                    line.append(String(decoding: bytes[span][start..<stop], as: UTF8.self), content.spans[span].style)
                }
                span += 1
            }
            lines.append(line)
        }

        for span in bytes.indices {
            let text = bytes[span]
            var offset = 0
            while offset < text.count {
                let byte = text[offset]
                let position = Position(span: span, offset: offset)
                let length: Int
                let columns: Int
                if byte < 0x80 {
                    length = 1
                    columns = 1
                } else {
                    length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
                    var scalar: UInt32 = UInt32(byte) & (length == 4 ? 0x07 : length == 3 ? 0x0F : 0x1F)
                    for index in 1..<length where offset + index < text.count {
                        scalar = scalar << 6 | UInt32(text[offset + index] & 0x3F)
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
                        emit(lineStart, found.end)
                        lineStart = found.resume
                        column = restPrefix.width + (column - found.column)
                    } else {
                        emit(lineStart, position)
                        lineStart = position
                        column = restPrefix.width
                    }
                    prefix = restPrefix
                    lastBreak = nil
                    // A word carried over may itself be too long: cut it where it overflows.
                    if column + columns > width, lineStart != position {
                        emit(lineStart, position)
                        lineStart = position
                        column = restPrefix.width
                    }
                }
                column += columns
                hasWord = true
            }
        }
        emit(lineStart, inSpace && hasWord ? spaceStart : end)
        return lines
    }
}
