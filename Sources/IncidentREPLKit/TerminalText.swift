import Safeguards

/// Text that is safe to write to a terminal: sanitized pieces, and escape sequences taken only from
/// the client's own fixed tables (``Style``, ``Control``).
///
/// There is no way to build one from a raw string without the sanitizer: ``init(_:)`` sanitizes,
/// and `+` with a `String` sanitizes that string. So
/// `errors.write(errors.dim("failed (\(error))") + "\n")` cannot write the error's escape sequences,
/// however the call site spells it.
public struct TerminalText: Sendable, Equatable, CustomStringConvertible {
    /// Colours and weights the client may apply.
    public enum Style: Sendable, CaseIterable {
        case dim
        case red
        case bold

        /// The SGR sequence that starts the style.
        var start: String {
            switch self {
            case .dim: "\u{1B}[2m"
            case .red: "\u{1B}[31m"
            case .bold: "\u{1B}[1m"
            }
        }

        /// The SGR sequence that ends every style.
        static let reset = "\u{1B}[0m"
    }

    /// Cursor and line controls of the client's own (the spinner's status line).
    public enum Control: Sendable, CaseIterable {
        /// Back to the start of the line (CR).
        case lineStart
        /// Erase from the cursor to the end of the line (`ESC [ K`).
        case clearToEndOfLine

        var sequence: String {
            switch self {
            case .lineStart: "\r"
            case .clearToEndOfLine: "\u{1B}[K"
            }
        }
    }

    /// What is written: sanitized text and sequences from the tables above. Do not interpolate a
    /// `TerminalText` into a `String`: written as a `String`, its styles would be shown as `^[[2m`.
    public private(set) var rendered: String

    /// `text` sanitized (control characters and escape sequences shown inert).
    public init(_ text: String) {
        rendered = OutputSanitizer.sanitize(text)
    }

    /// `text` sanitized, wrapped in `style` (nil: plain). ``TerminalOutput/styled(_:_:)`` decides
    /// whether colour is allowed; call that.
    init(_ text: String, style: Style?) {
        let safe = OutputSanitizer.sanitize(text)
        rendered = style.map { $0.start + safe + Style.reset } ?? safe
    }

    /// A control sequence from the fixed table, for a terminal only (the caller checks `isTerminal`).
    init(_ control: Control) {
        rendered = control.sequence
    }

    private init(rendered: String) {
        self.rendered = rendered
    }

    public var description: String { rendered }

    public static func + (lhs: TerminalText, rhs: TerminalText) -> TerminalText {
        TerminalText(rendered: lhs.rendered + rhs.rendered)
    }

    /// Appends `rhs`, sanitized.
    public static func + (lhs: TerminalText, rhs: String) -> TerminalText {
        lhs + TerminalText(rhs)
    }

    /// Prepends `lhs`, sanitized.
    public static func + (lhs: String, rhs: TerminalText) -> TerminalText {
        TerminalText(lhs) + rhs
    }

    public static func += (lhs: inout TerminalText, rhs: TerminalText) {
        lhs = lhs + rhs
    }
}
