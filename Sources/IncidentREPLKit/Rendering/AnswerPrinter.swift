import Safeguards

/// Prints one streamed answer: as the model sent it (sanitized) when ``AnswerRendering/plain``, or
/// rendered by a ``MarkdownRenderer`` on a terminal.
///
/// Rendered, the model's text goes through the stream sanitizer first, then the renderer. The line
/// still streaming is shown as it arrives (so the first token appears as soon as it would unrendered);
/// when it ends, the cursor goes back to where it started (`CR`, `ESC [ A` per row, `ESC [ J`) and
/// the rendered lines replace it, unless the line settled exactly as it was shown (a code line,
/// streamed in the code style from its first byte; a paragraph line without markup): then only its
/// line feed is written. Styles and cursor moves come only from ``TerminalText``'s tables.
///
/// One answer is written from one task at a time (``write(_:)`` from the stream's task, then
/// ``finish()`` after it): the printer's state is not checked for overlapping access per delta.
public final class AnswerPrinter: @unchecked Sendable {
    private let output: TerminalOutput
    private let plain: Bool
    /// The state of a rendered answer. One task at a time writes an answer (the stream's task, then
    /// `finish()` after it), so the per-delta dynamic exclusivity check is left out.
    @exclusivity(unchecked) private var rendered: RenderedAnswer

    /// - Parameter label: Written before the answer (`Assistant: ` in scripted runs); on a line of
    ///   its own when rendering.
    public init(output: TerminalOutput, rendering: AnswerRendering, label: String = "") {
        self.output = output
        plain = rendering == .plain
        if case .markdown(let color, let width) = rendering {
            rendered = RenderedAnswer(styles: color ? Self.colorSequences : Self.attributeSequences, width: width)
        } else {
            // Never used: empty storage, and no terminal width asked for.
            rendered = RenderedAnswer(styles: Self.attributeSequences, width: TerminalWidth.fallback)
        }
        if !label.isEmpty { output.write(rendering == .plain ? label : label + "\n") }
    }

    /// The next delta of the answer.
    public func write(_ delta: String) {
        guard !plain else { return output.writeUntrusted(delta) }
        rendered.write(delta, to: output)
    }

    /// The end of the answer: the last line settled, a table or code block left open closed.
    public func finish() {
        guard !plain else { return output.finishUntrusted() }
        rendered.finish(to: output)
    }

    /// A rendered answer: the stream sanitizer, the renderer, and storage kept from delta to delta
    /// (the lines a delta settles, the bytes written for them). One value, so a delta costs one
    /// access to the printer's state.
    private struct RenderedAnswer: ~Copyable {
        var sanitizer = OutputSanitizer()
        var renderer: MarkdownRenderer
        var settled = DisplayLines()
        var screen = TerminalBuffer()
        /// The terminal styles of each ``SpanStyle`` (with colours, or attributes only for `NO_COLOR`).
        let styles: TerminalBuffer.StyleSequences
        /// The width to wrap to; nil follows the terminal's.
        let fixedWidth: Int?
        /// The style the line being streamed is written in: a line of an open code block is written
        /// in the code style as it arrives, so that when it ends as written it needs no redraw.
        var streamingStyle: SpanStyle = []
        /// The code style as streamed: none when it shows as nothing (`NO_COLOR`).
        let codeStyle: SpanStyle

        init(styles: TerminalBuffer.StyleSequences, width: Int?) {
            self.styles = styles
            codeStyle = styles.looksSame(Int(SpanStyle.codeBlock.rawValue), 0) ? [] : .codeBlock
            fixedWidth = width
            renderer = MarkdownRenderer(width: width ?? TerminalWidth.current)
        }

        mutating func write(_ delta: String, to output: TerminalOutput) {
            // A line feed in the delta is one in the sanitized text: the sanitizer turns CRLF into LF
            // and adds none.
            var raw = delta
            let lineFeeds = raw.withUTF8 { Self.lineFeeds(in: $0) }
            guard lineFeeds > 0 else {
                // No line ends: nothing settles, the streaming line only grows, written as it comes.
                if streamingStyle.isEmpty, renderer.isInCodeBlock, renderer.withPendingText({ $0.isEmpty }) {
                    return startCodeLine(delta, to: output)
                }
                var safe = output.writeUntrusted(delta, sanitizer: &sanitizer)
                return safe.withUTF8 { renderer.extendLine($0) }
            }
            var safe = sanitizer.sanitize(delta)
            renderer.width = fixedWidth ?? TerminalWidth.current
            let shownRows = Self.rowsShown(by: renderer)
            let tableShown = renderer.isCollectingTable
            let firstNew = clearSettledNowAndThen()
            renderer.append(safe, into: &settled)
            if lineFeeds == 1, !tableShown, settled.count == firstNew + 1, let verbatim = renderer.verbatimStyle,
               styles.looksSame(Int(verbatim.rawValue), Int(streamingStyle.rawValue))
            {
                // The line ended as it was streamed: it stays as it is on screen.
                return safe.withUTF8 { endLineInPlace($0, to: output) }
            }
            show(replacingRows: shownRows, from: firstNew, appended: safe, to: output)
        }

        mutating func finish(to output: TerminalOutput) {
            let rest = sanitizer.finish()
            let shownRows = Self.rowsShown(by: renderer)
            let firstNew = clearSettledNowAndThen()
            renderer.append(rest, into: &settled)
            renderer.finish(into: &settled)
            show(replacingRows: shownRows, from: firstNew, appended: rest, to: output)
            if !streamingStyle.isEmpty {
                screen.removeAll()
                screen.appendReset()
                output.write(screen)
                streamingStyle = []
            }
        }

        /// 0, 1, or 2 for more than one.
        private static func lineFeeds(in bytes: UnsafeBufferPointer<UInt8>) -> Int {
            guard let first = MarkdownRenderer.firstLineFeed(in: bytes, from: 0) else { return 0 }
            return MarkdownRenderer.firstLineFeed(in: bytes, from: first + 1) == nil ? 1 : 2
        }

        /// The first text of a line of an open code block: written in the code style, started here.
        private mutating func startCodeLine(_ delta: String, to output: TerminalOutput) {
            var safe = sanitizer.sanitize(delta)
            guard !safe.isEmpty else { return }
            screen.removeAll()
            screen.appendStart(of: Int(codeStyle.rawValue), in: styles)
            safe.withUTF8 { bytes in
                screen.append(text: bytes)
                renderer.extendLine(bytes)
            }
            output.write(screen)
            streamingStyle = codeStyle
        }

        /// Writes the rest of a line that settled as it was streamed, its line feed, and the start of
        /// the next line (in the code style when it is a code line).
        private mutating func endLineInPlace(_ bytes: UnsafeBufferPointer<UInt8>, to output: TerminalOutput) {
            let lineFeed = MarkdownRenderer.firstLineFeed(in: bytes, from: 0) ?? bytes.count
            screen.removeAll()
            screen.append(text: UnsafeBufferPointer(rebasing: bytes[..<lineFeed]))
            if !streamingStyle.isEmpty { screen.appendReset() }
            screen.appendLineFeed()
            streamingStyle = []
            let next = UnsafeBufferPointer(rebasing: bytes[min(lineFeed + 1, bytes.count)...])
            if !next.isEmpty {
                if renderer.isInCodeBlock {
                    screen.appendStart(of: Int(codeStyle.rawValue), in: styles)
                    streamingStyle = codeStyle
                }
                screen.append(text: next)
            }
            output.write(screen)
        }

        /// Lines drawn before stay in `settled` until it holds enough to clear; returns the index of
        /// the first line the delta settles.
        private mutating func clearSettledNowAndThen() -> Int {
            if settled.bytes.count > DisplayLines.clearingLimit || settled.count > DisplayLines.clearingLineLimit {
                settled.removeAll()
            }
            return settled.count
        }

        /// The rows below the first that the unrendered text on screen (since the last rendered
        /// line) takes; nil when there is none.
        private static func rowsShown(by renderer: borrowing MarkdownRenderer) -> Int? {
            let width = renderer.width
            return renderer.withPendingText { pending in
                pending.isEmpty ? nil : DisplayWidth.rowsBelow(afterPrinting: pending, width: width)
            }
        }

        /// Replaces the unrendered text on screen (`shownRows`) by the lines that settled and what
        /// is pending now; or, when none settled, writes what was appended.
        private mutating func show(
            replacingRows shownRows: Int?, from firstNew: Int, appended: String, to output: TerminalOutput
        ) {
            guard settled.count > firstNew else {
                var appended = appended
                if !appended.isEmpty { appended.withUTF8 { output.write(checking: $0) } }
                return
            }
            screen.removeAll()
            if !streamingStyle.isEmpty {
                screen.appendReset()
                streamingStyle = []
            }
            let codeLine = renderer.isInCodeBlock && !renderer.withPendingText { $0.isEmpty }
            Self.draw(
                settled, from: firstNew, replacingRows: shownRows, pending: renderer,
                startingCode: codeLine ? codeStyle : [], styles: styles, into: &screen)
            if codeLine { streamingStyle = codeStyle }
            output.write(screen)
        }

        private static func draw(
            _ settled: borrowing DisplayLines, from firstNew: Int, replacingRows shownRows: Int?,
            pending renderer: borrowing MarkdownRenderer,
            startingCode: SpanStyle, styles: TerminalBuffer.StyleSequences, into screen: inout TerminalBuffer
        ) {
            if let shownRows {
                screen.append(.lineStart)
                for _ in 0..<shownRows { screen.append(.cursorUp) }
                screen.append(.clearToEndOfScreen)
            }
            for line in firstNew..<settled.count {
                settled.forEachRun(ofLine: line) { text, style in
                    screen.append(text: text, style: Int(style.rawValue), of: styles)
                }
                screen.appendLineFeed()
            }
            screen.appendStart(of: Int(startingCode.rawValue), in: styles)
            renderer.withPendingText { screen.append(text: $0) }
        }
    }

    /// ``styles(for:)`` for every span style, with and without colours.
    private static let colorStyles = (0...UInt8.max).map { styles(for: SpanStyle(rawValue: $0)) }
    private static let attributeStyles = colorStyles.map { $0.filter { !$0.isColor } }
    private static let colorSequences = TerminalBuffer.StyleSequences(colorStyles)
    private static let attributeSequences = TerminalBuffer.StyleSequences(attributeStyles)

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
}
