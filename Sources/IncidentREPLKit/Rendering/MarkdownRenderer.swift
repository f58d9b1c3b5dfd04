#if canImport(Glibc)
import Glibc
#endif

/// Markdown to display lines, as the text streams: a pure function of the text, with no terminal
/// I/O and no escape sequences (styles are ``SpanStyle`` values that the caller maps to its table).
///
/// Works line by line. ``append(_:)`` returns the lines that are settled; the text since the last
/// settled line is ``pending`` (the line still streaming, or the rows of a table whose column widths
/// are not known yet), which the caller shows as it is and replaces when it settles. The same text
/// cut into chunks anywhere settles into the same lines.
///
/// Code blocks are set apart by a label line and a closing line; their lines are the model's
/// lines unchanged (never wrapped, never prefixed), in the ``SpanStyle/codeBlock`` style.
///
/// ```swift
/// var renderer = MarkdownRenderer(width: 80)
/// for delta in deltas { show(renderer.append(delta)); showProvisionally(renderer.pending) }
/// show(renderer.finish())
/// ```
public struct MarkdownRenderer: ~Copyable, Sendable {
    /// The columns lines are wrapped to; may change between chunks (a resize).
    public var width: Int
    /// Text shown but not settled: the rows of a table being collected (each with its line feed),
    /// then the line that has not ended yet, from `partialStart`.
    private var text = ByteBuffer()
    private var partialStart = 0
    /// The collected table rows, as ranges of `text` (a table's column widths depend on every row).
    private var tableRows: [Range<Int>] = []
    /// The fence of the code block being read, if any.
    private var fence: CodeFence? {
        didSet { isInCodeBlock = fence != nil }
    }
    /// Code blocks seen so far (the label says which `/copy N` takes a block).
    public private(set) var codeBlockCount = 0
    /// When the last line settled is its input line unchanged in one style (a line of a code block,
    /// or a paragraph line without markup that fits), that style: the printer then leaves the
    /// streamed line on screen as it is. Nil otherwise.
    private(set) var verbatimStyle: SpanStyle?

    /// Whether the line being streamed belongs to an open code block (it settles as written, in the
    /// code style, unless it closes the block).
    private(set) var isInCodeBlock = false

    /// Whether table rows are being collected (shown as written until the table settles).
    var isCollectingTable: Bool { !tableRows.isEmpty }
    /// Storage reused from line to line: a line too long for the width, a table's cells.
    private var content = DisplayLines()
    private var table = TableLayout()

    /// More table rows than this are shown as text (they would not fit a screen to be redrawn).
    static let maxTableRows = 40

    public init(width: Int) {
        self.width = width
    }

    /// The whole of `markdown` rendered at once.
    public static func render(_ markdown: String, width: Int) -> [DisplayLine] {
        var renderer = MarkdownRenderer(width: width)
        var lines = DisplayLines()
        renderer.append(markdown, into: &lines)
        renderer.finish(into: &lines)
        return lines.lines
    }

    /// Text shown but not settled: the collected table rows and the line still streaming.
    public var pending: String {
        withPendingText { String(decoding: $0, as: UTF8.self) }
    }

    /// ``pending`` as UTF-8, borrowed for the call.
    func withPendingText<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        text.withUnsafeBufferPointer(body)
    }

    /// Takes the next chunk of (sanitized) text; returns the lines it settles. When it returns none,
    /// ``pending`` is what it was with `text` appended.
    public mutating func append(_ text: String) -> [DisplayLine] {
        var settled = DisplayLines()
        append(text, into: &settled)
        return settled.lines
    }

    /// Ends the text: settles the last line, a table still being collected and a code block left open.
    public mutating func finish() -> [DisplayLine] {
        var settled = DisplayLines()
        finish(into: &settled)
        return settled.lines
    }

    /// ``append(_:)``, adding the settled lines to `settled`.
    public mutating func append(_ text: String, into settled: inout DisplayLines) {
        var text = text
        text.withUTF8 { append($0, into: &settled) }
    }

    /// ``append(_:)`` for the UTF-8 of sanitized text.
    mutating func append(_ text: UnsafeBufferPointer<UInt8>, into settled: inout DisplayLines) {
        verbatimStyle = nil
        var start = 0
        while let newline = Self.firstLineFeed(in: text, from: start) {
            self.text.append(UnsafeBufferPointer(rebasing: text[start..<newline]))
            settleLine(into: &settled)
            start = newline + 1
        }
        if start < text.count { self.text.append(UnsafeBufferPointer(rebasing: text[start...])) }
    }

    /// ``append(_:)`` for text known to hold no line feed: the line still streaming grows.
    mutating func extendLine(_ text: UnsafeBufferPointer<UInt8>) {
        self.text.append(text)
    }

    /// ``finish()``, adding the settled lines to `settled`.
    public mutating func finish(into settled: inout DisplayLines) {
        verbatimStyle = nil
        if partialStart < text.count { settleLine(into: &settled) }
        var text = ByteBuffer()
        swap(&text, &self.text)
        text.withUnsafeBufferPointer { flushTable($0, into: &settled) }
        settleAll(&text)
        swap(&text, &self.text)
        if fence != nil {
            settled.append("──", .dim)
            settled.endLine()
            fence = nil
        }
    }

    static func firstLineFeed(in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        // A token or two: a loop is cheaper than the call.
        if text.count - start <= 16 {
            var index = start
            while index < text.count {
                if text[index] == 0x0A { return index }
                index += 1
            }
            return nil
        }
        guard start < text.count, let base = text.baseAddress,
              let found = memchr(base + start, 0x0A, text.count - start) else { return nil }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }

    // MARK: - Blocks

    /// The line that just ended (`text` from `partialStart`): kept as a table row, or settled.
    private mutating func settleLine(into settled: inout DisplayLines) {
        var text = ByteBuffer()
        swap(&text, &self.text)
        defer { swap(&text, &self.text) }
        let line = partialStart..<text.count
        let keep = text.withUnsafeBufferPointer { buffer in
            let bytes = UnsafeBufferPointer(rebasing: buffer[line])
            if fence == nil, Self.isTableRow(bytes) {
                if tableRows.count < Self.maxTableRows { return true }
            }
            flushTable(buffer, into: &settled)
            process(bytes, into: &settled)
            return false
        }
        if keep {
            tableRows.append(line)
            text.append(0x0A)
            partialStart = text.count
        } else {
            settleAll(&text)
        }
    }

    /// All of `text` settled: nothing is pending (the storage is kept).
    private mutating func settleAll(_ text: inout ByteBuffer) {
        text.removeAll()
        partialStart = 0
    }

    private mutating func process(_ line: UnsafeBufferPointer<UInt8>, into settled: inout DisplayLines) {
        if let open = fence {
            if open.isClosed(by: line) {
                settled.append("──", .dim)
                fence = nil
            } else {
                settled.append(line, .codeBlock)
                verbatimStyle = .codeBlock
            }
            settled.endLine()
            return
        }
        if let opened = CodeFence.opening(line) {
            fence = opened
            codeBlockCount += 1
            settled.append("── ", .dim)
            settled.append(opened.language.isEmpty ? "code" : opened.language, .dim)
            settled.append(" (/copy ", .dim)
            settled.append(String(codeBlockCount), .dim)
            settled.append(") ──", .dim)
            settled.endLine()
            return
        }
        block(line, width: width, bars: 0, into: &settled)
    }

    /// A line outside code blocks and tables: heading, rule, quote, list item or paragraph, inside
    /// `bars` levels of block quote, `width` the columns inside the bars.
    private mutating func block(
        _ line: UnsafeBufferPointer<UInt8>, width: Int, bars: Int, into settled: inout DisplayLines
    ) {
        var indent = 0
        while indent < line.count, line[indent] == 0x20 || line[indent] == 0x09 { indent += 1 }
        let trimmed = UnsafeBufferPointer(rebasing: line[indent...])
        if trimmed.isEmpty {
            settled.append(repeating: "│ ", count: bars, .dim)
            settled.endLine()
            return
        }
        if indent < 4, Self.isRule(trimmed) {
            settled.append(repeating: "│ ", count: bars, .dim)
            settled.append(repeating: "─", count: max(1, min(width, 80)), .dim)
            settled.endLine()
            return
        }
        if indent < 4, let (level, text) = Self.heading(trimmed) {
            let style: SpanStyle = level <= 2 ? [.bold, .heading] : [.bold]
            return inline(text, style: style, width: width, prefix: LineWrapper.Prefix(bars: bars), into: &settled)
        }
        if trimmed[0] == UInt8(ascii: ">") {
            var depth = 0
            var index = 0
            while index < trimmed.count, trimmed[index] == UInt8(ascii: ">") {
                depth += 1
                index += 1
                if index < trimmed.count, trimmed[index] == 0x20 { index += 1 }
            }
            let inner = UnsafeBufferPointer(rebasing: trimmed[index...])
            block(inner, width: width - 2 * depth, bars: bars + depth, into: &settled)
            return
        }
        if let (marker, text) = Self.listItem(trimmed) {
            let hanging = indent + DisplayWidth.columns(of: marker) + 1
            let prefix = LineWrapper.Prefix(bars: bars, lead: indent, marker: marker, hanging: hanging)
            return inline(text, style: [], width: width, prefix: prefix, into: &settled)
        }
        let lead = min(indent, max(0, width - 1))
        let prefix = LineWrapper.Prefix(bars: bars, lead: lead, hanging: lead)
        let verbatimCandidate = indent == 0 && bars == 0
        inline(trimmed, style: [], width: width, prefix: prefix, verbatimCandidate: verbatimCandidate, into: &settled)
    }

    /// Inline Markdown `text` in `style` after `prefix`, wrapped to `width` columns inside the
    /// prefix's quote bars. Rendered in place when it may fit; moved out to be wrapped when it does not.
    private mutating func inline(
        _ text: UnsafeBufferPointer<UInt8>, style: SpanStyle, width: Int, prefix: LineWrapper.Prefix,
        verbatimCandidate: Bool = false, into settled: inout DisplayLines
    ) {
        let width = max(width, 1) + 2 * prefix.bars
        // A line of many more bytes than columns goes straight to the wrapper, which still lays it
        // out as one line if it fits after all (wide characters, combining marks).
        if prefix.firstWidth + text.count > 2 * width {
            content.removeAll()
            InlineMarkdown.render(text, style: style, into: &content)
            return LineWrapper.wrap(content, width: width, prefix: prefix, into: &settled)
        }
        let start = settled.mark
        prefix.appendFirst(into: &settled)
        let contentStart = settled.bytes.count
        InlineMarkdown.render(text, style: style, into: &settled)
        let columns = settled.bytes.withUnsafeBufferPointer(contentStart..<settled.bytes.count) {
            DisplayWidth.columns(of: $0)
        }
        if prefix.firstWidth + columns <= width {
            if verbatimCandidate, settled.openLineIsOneRun(style: [], count: text.count), text.last != 0x20 {
                verbatimStyle = []
            }
            settled.trimTrailingSpaces()
            settled.endLine()
            return
        }
        content.removeAll()
        content.append(openLineOf: settled, bytes: contentStart..<settled.bytes.count)
        settled.truncateOpenLine(to: start)
        LineWrapper.wrap(content, width: width, prefix: prefix, into: &settled)
    }

    static func isRule(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = text.first else { return false }
        switch first {
        case UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "_"): break
        default: return false
        }
        var count = 0
        for byte in text {
            if byte == first {
                count += 1
            } else if byte != 0x20 && byte != 0x09 {
                return false
            }
        }
        return count >= 3
    }

    /// `## Title ##` → (2, "Title").
    static func heading(_ text: UnsafeBufferPointer<UInt8>) -> (Int, UnsafeBufferPointer<UInt8>)? {
        let hash = UInt8(ascii: "#")
        var level = 0
        while level < text.count, text[level] == hash { level += 1 }
        guard (1...6).contains(level) else { return nil }
        guard level == text.count || text[level] == 0x20 || text[level] == 0x09 else { return nil }
        var start = level, end = text.count
        while start < end, text[start] == 0x20 || text[start] == 0x09 { start += 1 }
        while end > start, text[end - 1] == 0x20 || text[end - 1] == 0x09 { end -= 1 }
        // A closing run of #s preceded by a space goes.
        var closing = end
        while closing > start, text[closing - 1] == hash { closing -= 1 }
        if closing < end, closing == start || text[closing - 1] == 0x20 {
            end = closing
            while end > start, text[end - 1] == 0x20 { end -= 1 }
        }
        return (level, UnsafeBufferPointer(rebasing: text[start..<end]))
    }

    /// The level of the ATX heading `text` starts (`### x` → 3), or nil.
    static func headingLevel(_ text: some StringProtocol) -> Int? {
        var copy = String(text)
        return copy.withUTF8 { heading($0)?.0 }
    }

    private static let bullet: StaticString = "•"

    /// `- item`, `* item`, `+ item`, `1. item`, `1) item` → (the marker as shown without its space:
    /// `•` or the item's own `1.`, the content).
    static func listItem(
        _ text: UnsafeBufferPointer<UInt8>
    ) -> (marker: UnsafeBufferPointer<UInt8>, content: UnsafeBufferPointer<UInt8>)? {
        guard let first = text.first else { return nil }
        func content(after index: Int) -> UnsafeBufferPointer<UInt8> {
            var index = index
            while index < text.count, text[index] == 0x20 || text[index] == 0x09 { index += 1 }
            return UnsafeBufferPointer(rebasing: text[index...])
        }
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "*") || first == UInt8(ascii: "+") {
            guard text.count > 1, text[1] == 0x20 || text[1] == 0x09 else { return nil }
            return (UnsafeBufferPointer(start: bullet.utf8Start, count: bullet.utf8CodeUnitCount), content(after: 1))
        }
        var digits = 0
        while digits < text.count, text[digits] >= 0x30, text[digits] <= 0x39 { digits += 1 }
        guard (1...9).contains(digits), digits + 1 < text.count,
              text[digits] == UInt8(ascii: ".") || text[digits] == UInt8(ascii: ")"),
              text[digits + 1] == 0x20 || text[digits + 1] == 0x09 else { return nil }
        return (UnsafeBufferPointer(rebasing: text[0...digits]), content(after: digits + 1))
    }

    // MARK: - Tables

    static func isTableRow(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        while index < line.count, line[index] == 0x20 { index += 1 }
        return index < line.count && line[index] == UInt8(ascii: "|") && line.count - index >= 2
    }

    /// Settles the collected table rows (ranges of `text`), laid out or as text.
    private mutating func flushTable(_ text: UnsafeBufferPointer<UInt8>, into settled: inout DisplayLines) {
        guard !tableRows.isEmpty else { return }
        var rows: [Range<Int>] = []
        swap(&rows, &tableRows)
        defer {
            rows.removeAll(keepingCapacity: true)
            swap(&rows, &tableRows)
        }
        switch table.layout(rows: rows, in: text, width: width, into: &settled) {
        case .aligned:
            break
        case .asWritten:
            for row in rows {
                settled.append(UnsafeBufferPointer(rebasing: text[row]), [])
                settled.endLine()
            }
        case .notATable:
            for row in rows { block(UnsafeBufferPointer(rebasing: text[row]), width: width, bars: 0, into: &settled) }
        }
    }
}
