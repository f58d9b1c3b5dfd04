import Safeguards

/// Prints one streamed answer: as the model sent it (sanitized) when ``AnswerRendering/plain``, or
/// rendered by a ``MarkdownRenderer`` on a terminal.
///
/// Rendered, the model's text goes through the stream sanitizer first, then the renderer. The line
/// still streaming is shown as it arrives (so the first token appears as soon as it would unrendered);
/// when it ends, the cursor goes back to where it started (`CR`, `ESC [ A` per row, `ESC [ J`) and
/// the rendered lines replace it. Styles and cursor moves come only from ``TerminalText``'s tables.
public final class AnswerPrinter: @unchecked Sendable {
    private let output: TerminalOutput
    private let rendering: AnswerRendering
    private var sanitizer = OutputSanitizer()
    private var renderer: MarkdownRenderer
    private let label: String

    /// - Parameter label: Written before the answer (`Assistant: ` in scripted runs); on a line of
    ///   its own when rendering.
    public init(output: TerminalOutput, rendering: AnswerRendering, label: String = "") {
        self.output = output
        self.rendering = rendering
        self.label = label
        renderer = MarkdownRenderer(width: Self.width(for: rendering))
        if !label.isEmpty { output.write(rendering == .plain ? label : label + "\n") }
    }

    /// The next delta of the answer.
    public func write(_ delta: String) {
        guard case .markdown = rendering else { return output.writeUntrusted(delta) }
        let safe = sanitizer.sanitize(delta)
        guard !safe.isEmpty else { return }
        guard safe.utf8.contains(0x0A) else {
            // No line ends: nothing settles, the streaming line only grows.
            _ = renderer.append(safe)
            return output.write(TerminalText(safe))
        }
        renderer.width = Self.width(for: rendering)
        let shown = renderer.pending
        show(renderer.append(safe), replacing: shown, appended: safe)
    }

    /// The end of the answer: the last line settled, a table or code block left open closed.
    public func finish() {
        guard case .markdown = rendering else { return output.finishUntrusted() }
        let rest = sanitizer.finish()
        let shown = renderer.pending
        var settled = rest.isEmpty ? [] : renderer.append(rest)
        settled += renderer.finish()
        show(settled, replacing: shown, appended: rest)
    }

    /// Replaces `shown` (the unrendered text on screen since the last rendered line) by the lines
    /// that settled and what is pending now; or, when none settled, writes what was appended.
    private func show(_ settled: [DisplayLine], replacing shown: String, appended: String) {
        if settled.isEmpty {
            // Nothing settled: the pending text only grew by `appended`.
            if !appended.isEmpty { output.write(TerminalText(appended)) }
            return
        }
        var text = TerminalText("")
        if !shown.isEmpty {
            text += TerminalText(.lineStart)
            for _ in 0..<DisplayWidth.rowsBelow(afterPrinting: shown, width: renderer.width) {
                text += TerminalText(.cursorUp)
            }
            text += TerminalText(.clearToEndOfScreen)
        }
        for line in settled { text += styled(line) + "\n" }
        let pending = renderer.pending
        if !pending.isEmpty { text += TerminalText(pending) }
        output.write(text)
    }

    /// A rendered line with its styles mapped to the terminal's table (colours only when allowed).
    func styled(_ line: DisplayLine) -> TerminalText {
        guard case .markdown(let color, _) = rendering else { return TerminalText(line.text) }
        var text = TerminalText("")
        let table = color ? Self.colorStyles : Self.attributeStyles
        for span in line.spans {
            text += TerminalText(span.text, styles: table[Int(span.style.rawValue)])
        }
        return text
    }

    /// ``styles(for:)`` for every span style, with and without colours.
    private static let colorStyles = (0...UInt8.max).map { styles(for: SpanStyle(rawValue: $0)) }
    private static let attributeStyles = colorStyles.map { $0.filter { !$0.isColor } }

    static func styles(for style: SpanStyle) -> [TerminalText.Style] {
        if style.isEmpty { return [] }
        var styles: [TerminalText.Style] = []
        if style.contains(.bold) || style.contains(.heading) { styles.append(.bold) }
        if style.contains(.italic) { styles.append(.italic) }
        if style.contains(.link) { styles.append(.underline) }
        if style.contains(.dim) { styles.append(.dim) }
        if style.contains(.code) || style.contains(.codeBlock) { styles.append(.code) }
        return styles
    }

    private static func width(for rendering: AnswerRendering) -> Int {
        guard case .markdown(_, let width) = rendering else { return TerminalWidth.fallback }
        return width ?? TerminalWidth.current
    }
}
