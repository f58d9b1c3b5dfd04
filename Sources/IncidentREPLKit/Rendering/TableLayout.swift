/// A Markdown table (a header row, a delimiter row such as `|---|:-:|`, body rows), laid out in
/// aligned columns when it fits the width.
///
/// Works on the rows' bytes where the renderer collected them, with storage kept from one table to
/// the next.
struct TableLayout: ~Copyable, Sendable {
    enum Alignment: Sendable {
        case left, center, right
    }

    /// What became of the rows.
    enum Outcome {
        /// Laid out in aligned columns.
        case aligned
        /// A table that cannot be aligned (too wide, or a row with more cells than the header, which
        /// would lose a cell): to be shown as the model wrote it.
        case asWritten
        /// Not a table (no delimiter row): ordinary lines.
        case notATable
    }

    /// The cells of every row, as ranges of the text; `rowStarts[row]` is a row's first cell.
    private var cellRanges: [Range<Int>] = []
    private var rowStarts: [Int] = []
    private var alignments: [Alignment] = []
    /// The rendered cells, one line per cell (header, then body rows, `columns` per row).
    private var cells = DisplayLines()
    private var widths: [Int] = []
    private var cellWidths: [Int] = []

    /// Lays out `rows` (ranges of `text`) in aligned columns into `out`, when they are a table that fits `width`.
    mutating func layout(
        rows: [Range<Int>], in text: UnsafeBufferPointer<UInt8>, width: Int, into out: inout DisplayLines
    ) -> Outcome {
        guard rows.count >= 2 else { return .notATable }
        cellRanges.removeAll(keepingCapacity: true)
        rowStarts.removeAll(keepingCapacity: true)
        for row in rows {
            rowStarts.append(cellRanges.count)
            Self.splitCells(text, row, into: &cellRanges)
        }
        rowStarts.append(cellRanges.count)
        func cellCount(_ row: Int) -> Int { rowStarts[row + 1] - rowStarts[row] }
        alignments.removeAll(keepingCapacity: true)
        for index in rowStarts[1]..<rowStarts[2] {
            let cell = UnsafeBufferPointer(rebasing: text[cellRanges[index]])
            guard let alignment = Self.alignment(ofDelimiter: cell) else {
                return .notATable
            }
            alignments.append(alignment)
        }
        let columns = cellCount(0)
        guard cellCount(1) == columns, (2..<rows.count).allSatisfy({ cellCount($0) <= columns }) else {
            return .asWritten
        }

        cells.removeAll()
        for row in rows.indices where row != 1 {
            for column in 0..<columns {
                if column < cellCount(row) {
                    let cell = UnsafeBufferPointer(rebasing: text[cellRanges[rowStarts[row] + column]])
                    InlineMarkdown.render(cell, style: row == 0 ? .bold : [], into: &cells)
                }
                cells.endLine()
            }
        }
        widths.removeAll(keepingCapacity: true)
        widths.append(contentsOf: repeatElement(0, count: columns))
        cellWidths.removeAll(keepingCapacity: true)
        for index in 0..<cells.count {
            let width = cells.width(ofLine: index)
            cellWidths.append(width)
            widths[index % columns] = max(widths[index % columns], width)
        }
        let total = widths.reduce(0, +) + 3 * max(0, columns - 1)
        guard total <= width else { return .asWritten }
        for row in 0..<(cells.count / columns) {
            appendRow(row, columns: columns, into: &out)
            if row == 0 {
                for column in 0..<columns {
                    if column > 0 { out.append("─┼─", .dim) }
                    out.append(repeating: "─", count: widths[column], .dim)
                }
                out.endLine()
            }
        }
        return .aligned
    }

    private func appendRow(_ row: Int, columns: Int, into out: inout DisplayLines) {
        for column in 0..<columns {
            let cell = row * columns + column
            if column > 0 { out.append(" │ ", .dim) }
            let gap = widths[column] - cellWidths[cell]
            let before = switch alignments[column] {
            case .left: 0
            case .right: gap
            case .center: gap / 2
            }
            out.append(repeating: 0x20, count: before, [])
            out.append(line: cell, of: cells)
            // No trailing spaces after the last column.
            if column < columns - 1 { out.append(repeating: 0x20, count: gap - before, []) }
        }
        out.endLine()
    }

    /// The cells of a row: split at `|` outside code spans and not escaped, outer pipes dropped, trimmed.
    static func splitCells(_ text: UnsafeBufferPointer<UInt8>, _ row: Range<Int>, into cells: inout [Range<Int>]) {
        let pipe = UInt8(ascii: "|"), space = UInt8(ascii: " "), backslash = UInt8(ascii: "\\")
        var lower = row.lowerBound, upper = row.upperBound
        while lower < upper, text[lower] == space { lower += 1 }
        while upper > lower, text[upper - 1] == space { upper -= 1 }
        if lower < upper, text[lower] == pipe { lower += 1 }
        if upper > lower, text[upper - 1] == pipe, !(upper - 1 > lower && text[upper - 2] == backslash) { upper -= 1 }
        func add(_ start: Int, _ end: Int) {
            var start = start, end = end
            while start < end, text[start] == space { start += 1 }
            while end > start, text[end - 1] == space { end -= 1 }
            cells.append(start..<end)
        }
        var start = lower
        var inCode = false
        var index = lower
        while index < upper {
            let byte = text[index]
            if byte == backslash {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "`") { inCode.toggle() }
            if byte == pipe, !inCode {
                add(start, index)
                start = index + 1
            }
            index += 1
        }
        add(start, upper)
    }

    /// `---` (left), `:---:` (centre), `---:` (right); nil when the cell is not a delimiter.
    static func alignment(ofDelimiter cell: UnsafeBufferPointer<UInt8>) -> Alignment? {
        let colon = UInt8(ascii: ":")
        var body = cell[...]
        let left = body.first == colon
        if left { body = body.dropFirst() }
        let right = body.last == colon
        if right { body = body.dropLast() }
        guard !body.isEmpty, body.allSatisfy({ $0 == UInt8(ascii: "-") }) else { return nil }
        return left && right ? .center : right ? .right : .left
    }
}
