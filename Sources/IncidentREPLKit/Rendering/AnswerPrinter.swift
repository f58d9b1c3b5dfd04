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
    /// Storage kept from delta to delta: the lines a delta settles, and the bytes written for them.
    private var settled = DisplayLines()
    private var screen = TerminalBuffer()
    /// The terminal styles of each ``SpanStyle``: with colours, or attributes only (`NO_COLOR`).
    private let styleTable: [[TerminalText.Style]]

    /// - Parameter label: Written before the answer (`Assistant: ` in scripted runs); on a line of
    ///   its own when rendering.
    public init(output: TerminalOutput, rendering: AnswerRendering, label: String = "") {
        self.output = output
        self.rendering = rendering
        self.label = label
        renderer = MarkdownRenderer(width: Self.width(for: rendering))
        if case .markdown(let color, _) = rendering, !color {
            styleTable = Self.attributeStyles
        } else {
            styleTable = Self.colorStyles
        }
        if !label.isEmpty { output.write(rendering == .plain ? label : label + "\n") }
    }

    /// The next delta of the answer.
    public func write(_ delta: String) {
        guard case .markdown = rendering else { return output.writeUntrusted(delta) }
        var safe = sanitizer.sanitize(delta)
        guard !safe.isEmpty else { return }
        safe.withUTF8 { bytes in
            guard MarkdownRenderer.firstLineFeed(in: bytes, from: 0) != nil else {
                // No line ends: nothing settles, the streaming line only grows.
                renderer.append(bytes, into: &settled)
                return showAppended(bytes)
            }
            renderer.width = Self.width(for: rendering)
            let shownRows = rowsShown()
            settled.removeAll()
            renderer.append(bytes, into: &settled)
            show(replacingRows: shownRows, appended: bytes)
        }
    }

    /// The end of the answer: the last line settled, a table or code block left open closed.
    public func finish() {
        guard case .markdown = rendering else { return output.finishUntrusted() }
        var rest = sanitizer.finish()
        let shownRows = rowsShown()
        settled.removeAll()
        rest.withUTF8 { bytes in
            renderer.append(bytes, into: &settled)
            renderer.finish(into: &settled)
            show(replacingRows: shownRows, appended: bytes)
        }
    }

    /// The rows below the first that the unrendered text on screen (since the last rendered line)
    /// takes; nil when there is none.
    private func rowsShown() -> Int? {
        renderer.withPending { pending in
            pending.isEmpty ? nil : DisplayWidth.rowsBelow(afterPrinting: pending, width: renderer.width)
        }
    }

    /// Replaces the unrendered text on screen (`shownRows`) by the lines that settled and what is
    /// pending now; or, when none settled, writes what was appended.
    private func show(replacingRows shownRows: Int?, appended: UnsafeBufferPointer<UInt8>) {
        guard !settled.isEmpty else { return showAppended(appended) }
        screen.removeAll()
        if let shownRows {
            screen.append(.lineStart)
            for _ in 0..<shownRows { screen.append(.cursorUp) }
            screen.append(.clearToEndOfScreen)
        }
        for line in 0..<settled.count {
            settled.forEachRun(ofLine: line) { text, style in
                screen.append(text: text, styles: styleTable[Int(style.rawValue)])
            }
            screen.appendLineFeed()
        }
        renderer.withPending { screen.append(text: $0) }
        output.write(screen)
    }

    /// The pending text grew by `appended`, which is written as it is.
    private func showAppended(_ appended: UnsafeBufferPointer<UInt8>) {
        guard !appended.isEmpty else { return }
        screen.removeAll()
        screen.append(text: appended)
        output.write(screen)
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
