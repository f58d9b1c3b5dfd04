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
public struct MarkdownRenderer: Sendable {
    /// The columns lines are wrapped to; may change between chunks (a resize).
    public var width: Int
    /// The line that has not ended yet.
    private var partialLine = ""
    /// Lines of a table being collected (its column widths depend on every row).
    private var tableLines: [String] = []
    /// The fence of the code block being read, if any.
    private var fence: CodeFence?
    /// Code blocks seen so far (the label says which `/copy N` takes a block).
    public private(set) var codeBlockCount = 0

    /// More table rows than this are shown as text (they would not fit a screen to be redrawn).
    static let maxTableRows = 40

    public init(width: Int) {
        self.width = width
    }

    /// The whole of `markdown` rendered at once.
    public static func render(_ markdown: String, width: Int) -> [DisplayLine] {
        var renderer = MarkdownRenderer(width: width)
        return renderer.append(markdown) + renderer.finish()
    }

    /// Text shown but not settled: the collected table rows and the line still streaming.
    public var pending: String {
        tableLines.isEmpty ? partialLine : tableLines.joined(separator: "\n") + "\n" + partialLine
    }

    /// Takes the next chunk of (sanitized) text; returns the lines it settles. When it returns none,
    /// ``pending`` is what it was with `text` appended.
    public mutating func append(_ text: String) -> [DisplayLine] {
        var settled: [DisplayLine] = []
        var rest = Substring(text)
        while let newline = rest.utf8.firstIndex(of: 0x0A) {
            partialLine += rest[..<newline]
            let line = partialLine
            partialLine = ""
            process(line, into: &settled)
            rest = rest[rest.utf8.index(after: newline)...]
        }
        partialLine += rest
        return settled
    }

    /// Ends the text: settles the last line, a table still being collected and a code block left open.
    public mutating func finish() -> [DisplayLine] {
        var settled: [DisplayLine] = []
        if !partialLine.isEmpty {
            let line = partialLine
            partialLine = ""
            process(line, into: &settled)
        }
        flushTable(into: &settled)
        if fence != nil {
            settled.append(DisplayLine("──", .dim))
            fence = nil
        }
        return settled
    }

    // MARK: - Blocks

    private mutating func process(_ line: String, into settled: inout [DisplayLine]) {
        if let open = fence {
            if open.isClosed(by: line) {
                settled.append(DisplayLine("──", .dim))
                fence = nil
            } else {
                settled.append(DisplayLine(line, .codeBlock))
            }
            return
        }
        if Self.isTableRow(line) {
            if tableLines.count < Self.maxTableRows {
                tableLines.append(line)
                return
            }
            flushTable(into: &settled)
        } else {
            flushTable(into: &settled)
        }
        if let opened = CodeFence(opening: line) {
            fence = opened
            codeBlockCount += 1
            let language = opened.language.isEmpty ? "code" : opened.language
            settled.append(DisplayLine("── \(language) (/copy \(codeBlockCount)) ──", .dim))
            return
        }
        settled += block(line, width: width)
    }

    /// A line outside code blocks and tables: heading, rule, quote, list item or paragraph.
    private func block(_ line: String, width: Int) -> [DisplayLine] {
        let trimmed = line.drop { $0 == " " || $0 == "\t" }
        if trimmed.isEmpty { return [DisplayLine()] }
        let indent = line.utf8.count - trimmed.utf8.count
        if indent < 4, Self.isRule(trimmed) {
            return [DisplayLine(String(repeating: "─", count: max(1, min(width, 80))), .dim)]
        }
        if indent < 4, let (level, text) = Self.heading(trimmed) {
            let style: SpanStyle = level <= 2 ? [.bold, .heading] : [.bold]
            return LineWrapper.wrap(InlineMarkdown.render(text, style: style), width: width)
        }
        if trimmed.first == ">" {
            var depth = 0
            var rest = trimmed
            while rest.first == ">" {
                depth += 1
                rest = rest.dropFirst()
                if rest.first == " " { rest = rest.dropFirst() }
            }
            let bar = DisplayLine(String(repeating: "│ ", count: depth), .dim)
            let inner = block(String(rest), width: width - 2 * depth)
            return inner.map { line in
                var prefixed = bar
                prefixed.append(contentsOf: line)
                return prefixed
            }
        }
        if let (marker, content) = Self.listItem(trimmed) {
            let lead = String(repeating: " ", count: indent)
            var first = DisplayLine(lead)
            first.append(marker, .dim)
            let rest = DisplayLine(String(repeating: " ", count: indent + DisplayWidth.columns(of: marker)))
            return LineWrapper.wrap(InlineMarkdown.render(content), width: width, firstPrefix: first, restPrefix: rest)
        }
        let lead = DisplayLine(String(repeating: " ", count: min(indent, max(0, width - 1))))
        return LineWrapper.wrap(InlineMarkdown.render(trimmed), width: width, firstPrefix: lead, restPrefix: lead)
    }

    static func isRule(_ text: Substring) -> Bool {
        guard let first = text.first, first == "-" || first == "*" || first == "_" else { return false }
        var count = 0
        for character in text {
            if character == first {
                count += 1
            } else if character != " " && character != "\t" {
                return false
            }
        }
        return count >= 3
    }

    /// `## Title ##` → (2, "Title").
    static func heading(_ text: Substring) -> (Int, Substring)? {
        let level = text.prefix { $0 == "#" }.count
        guard (1...6).contains(level) else { return nil }
        var rest = text.dropFirst(level)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        while rest.last == " " || rest.last == "\t" { rest = rest.dropLast() }
        // A closing run of #s preceded by a space goes.
        let closing = rest.reversed().prefix { $0 == "#" }.count
        if closing > 0 {
            let before = rest.dropLast(closing)
            if before.isEmpty || before.last == " " {
                rest = before
                while rest.last == " " { rest = rest.dropLast() }
            }
        }
        return (level, rest)
    }

    /// `- item`, `* item`, `+ item`, `1. item`, `1) item` → (the marker as shown, the content).
    static func listItem(_ text: Substring) -> (String, Substring)? {
        guard let first = text.first else { return nil }
        if first == "-" || first == "*" || first == "+" {
            let rest = text.dropFirst()
            guard let next = rest.first, next == " " || next == "\t" else { return nil }
            return ("• ", rest.drop { $0 == " " || $0 == "\t" })
        }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard (1...9).contains(digits.count) else { return nil }
        let rest = text.dropFirst(digits.count)
        guard let delimiter = rest.first, delimiter == "." || delimiter == ")" else { return nil }
        let after = rest.dropFirst()
        guard let next = after.first, next == " " || next == "\t" else { return nil }
        return ("\(digits)\(delimiter) ", after.drop { $0 == " " || $0 == "\t" })
    }

    // MARK: - Tables

    static func isTableRow(_ line: String) -> Bool {
        let trimmed = line.drop { $0 == " " }
        return trimmed.first == "|" && trimmed.utf8.count >= 2
    }

    private mutating func flushTable(into settled: inout [DisplayLine]) {
        guard !tableLines.isEmpty else { return }
        let lines = tableLines
        tableLines = []
        if let table = TableLayout(lines: lines), let rendered = table.render(width: width) {
            settled += rendered
        } else if lines.count >= 2, TableLayout.isDelimiterRow(TableLayout.cells(of: lines[1])) {
            // A table too wide for the screen: left as the model wrote it.
            settled += lines.map { DisplayLine($0) }
        } else {
            for line in lines { settled += block(line, width: width) }
        }
    }
}
