/// A fenced code block of an answer, as ``/copy`` puts it on the clipboard.
public struct CodeBlock: Sendable, Equatable {
    /// The fence's language (`kql`), or empty.
    public var language: String
    /// The lines between the fences, as written (the fence's own indentation taken off), joined by
    /// line feeds; no trailing line feed.
    public var text: String

    public init(language: String, text: String) {
        self.language = language
        self.text = text
    }

    /// The fenced code blocks of `markdown`, in order. A fence left open runs to the end.
    public static func all(in markdown: String) -> [CodeBlock] {
        var blocks: [CodeBlock] = []
        var open: CodeFence?
        var lines: [Substring] = []
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = line.hasSuffix("\r") ? line.dropLast() : line
            if let fence = open {
                if fence.isClosed(by: line) {
                    blocks.append(CodeBlock(fence: fence, lines: lines))
                    open = nil
                    lines = []
                } else {
                    lines.append(line)
                }
            } else if let fence = CodeFence(opening: line) {
                open = fence
            }
        }
        if let fence = open { blocks.append(CodeBlock(fence: fence, lines: lines)) }
        return blocks
    }

    init(fence: CodeFence, lines: [Substring]) {
        language = fence.language
        text = lines.map { line in
            // Take off up to the fence's indentation, as CommonMark does.
            var dropped = 0
            var rest = line
            while dropped < fence.indent, rest.first == " " {
                rest = rest.dropFirst()
                dropped += 1
            }
            return String(rest)
        }.joined(separator: "\n")
    }
}
