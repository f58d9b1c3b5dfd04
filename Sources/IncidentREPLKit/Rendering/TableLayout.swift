/// A Markdown table (a header row, a delimiter row such as `|---|:-:|`, body rows), laid out in
/// aligned columns when it fits the width.
struct TableLayout {
    enum Alignment {
        case left, center, right
    }

    let header: [DisplayLine]
    let alignments: [Alignment]
    let rows: [[DisplayLine]]

    /// The table of `lines`, or nil when they are not one (no delimiter row, or a row with more
    /// cells than the header: shown as text rather than lose a cell).
    init?(lines: [String]) {
        guard lines.count >= 2 else { return nil }
        let headerCells = Self.cells(of: lines[0])
        let delimiter = Self.cells(of: lines[1])
        guard Self.isDelimiterRow(delimiter), delimiter.count == headerCells.count else { return nil }
        let bodies = lines.dropFirst(2).map(Self.cells(of:))
        guard bodies.allSatisfy({ $0.count <= headerCells.count }) else { return nil }
        header = headerCells.map { InlineMarkdown.render($0, style: .bold) }
        alignments = delimiter.map { cell in
            let left = cell.hasPrefix(":"), right = cell.hasSuffix(":")
            return left && right ? .center : right ? .right : .left
        }
        rows = bodies.map { cells in
            (0..<headerCells.count).map { $0 < cells.count ? InlineMarkdown.render(cells[$0]) : DisplayLine() }
        }
    }

    /// The aligned lines, or nil when they would be wider than `width`.
    func render(width: Int) -> [DisplayLine]? {
        var widths = header.map(\.width)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.width) }
        }
        let total = widths.reduce(0, +) + 3 * max(0, widths.count - 1)
        guard total <= width else { return nil }
        var lines = [line(header, widths: widths)]
        lines.append(DisplayLine(widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─"), .dim))
        for row in rows { lines.append(line(row, widths: widths)) }
        return lines
    }

    private func line(_ cells: [DisplayLine], widths: [Int]) -> DisplayLine {
        var line = DisplayLine()
        for (index, cell) in cells.enumerated() {
            if index > 0 { line.append(" │ ", .dim) }
            let gap = widths[index] - cell.width
            let before = switch alignments[index] {
            case .left: 0
            case .right: gap
            case .center: gap / 2
            }
            line.append(String(repeating: " ", count: before), [])
            line.append(contentsOf: cell)
            // No trailing spaces after the last column.
            if index < cells.count - 1 { line.append(String(repeating: " ", count: gap - before), []) }
        }
        return line
    }

    /// The cells of a row: split at `|` outside code spans and not escaped, outer pipes dropped, trimmed.
    static func cells(of row: String) -> [Substring] {
        var text = Substring(row).drop { $0 == " " }
        while text.last == " " { text = text.dropLast() }
        if text.first == "|" { text = text.dropFirst() }
        if text.last == "|", !text.dropLast().hasSuffix("\\") { text = text.dropLast() }
        var cells: [Substring] = []
        let utf8 = text.utf8
        var start = utf8.startIndex
        var inCode = false
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\\") {
                index = utf8.index(after: index)
                if index < utf8.endIndex { index = utf8.index(after: index) }
                continue
            }
            if byte == UInt8(ascii: "`") { inCode.toggle() }
            if byte == UInt8(ascii: "|"), !inCode {
                cells.append(text[start..<index])
                start = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        cells.append(text[start...])
        return cells.map { cell in
            var cell = cell.drop { $0 == " " }
            while cell.last == " " { cell = cell.dropLast() }
            return cell
        }
    }

    static func isDelimiterRow(_ cells: [Substring]) -> Bool {
        !cells.isEmpty && cells.allSatisfy { cell in
            var body = cell
            if body.first == ":" { body = body.dropFirst() }
            if body.last == ":" { body = body.dropLast() }
            return !body.isEmpty && body.allSatisfy { $0 == "-" }
        }
    }
}
