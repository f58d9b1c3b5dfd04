/// A message's Markdown made safe to embed in the incident notes: as written, except that what
/// would break the notes' own structure is neutralised.
///
/// - A code fence left open (an interrupted answer, a pasted log) is closed, so the notes' next
///   heading is not swallowed into a code block.
/// - Headings of levels 1 to 3 (the notes use `#`, `##` and `###` for their sections and turns) are
///   escaped with a backslash, outside code blocks, so a message cannot start a fake `### Analyst`
///   turn or section; deeper headings are kept. So are setext underlines (`===`, and `---` right
///   under a line of text).
enum EmbeddedMarkdown {
    static func contained(_ markdown: String) -> String {
        var escaped: [String] = []
        var fence: CodeFence?
        var previousIsText = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = fence {
                if open.isClosed(by: line) { fence = nil }
                escaped.append(String(line))
                previousIsText = false
                continue
            }
            if let opened = CodeFence(opening: line) {
                fence = opened
                escaped.append(String(line))
                previousIsText = false
                continue
            }
            let trimmed = line.drop { $0 == " " }
            let indent = line.count - trimmed.count
            if indent < 4, let level = MarkdownRenderer.headingLevel(trimmed), level <= 3 {
                escaped.append(String(line.prefix(indent)) + "\\" + trimmed)
            } else if indent < 4, previousIsText, Self.isSetextUnderline(trimmed) {
                escaped.append(String(line.prefix(indent)) + "\\" + trimmed)
            } else {
                escaped.append(String(line))
            }
            previousIsText = !trimmed.isEmpty
        }
        if let open = fence { escaped.append(open.closingLine) }
        return escaped.joined(separator: "\n")
    }

    private static func isSetextUnderline(_ text: Substring) -> Bool {
        var body = text
        while body.last == " " { body = body.dropLast() }
        guard let first = body.first, first == "=" || first == "-" else { return false }
        return body.allSatisfy { $0 == first }
    }
}
