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
        case italic
        case underline
        /// Code (inline and fenced) in rendered answers.
        case code

        /// The SGR sequence that starts the style.
        var start: String {
            switch self {
            case .dim: "\u{1B}[2m"
            case .red: "\u{1B}[31m"
            case .bold: "\u{1B}[1m"
            case .italic: "\u{1B}[3m"
            case .underline: "\u{1B}[4m"
            case .code: "\u{1B}[36m"
            }
        }

        /// A colour (dropped under `NO_COLOR`), rather than an attribute such as bold.
        var isColor: Bool {
            self == .red || self == .code
        }

        /// The SGR sequence that ends every style.
        static let reset = resetSequence.description
        static let resetSequence: StaticString = "\u{1B}[0m"
    }

    /// Cursor and line controls of the client's own (the spinner's status line).
    public enum Control: Sendable, CaseIterable {
        /// Back to the start of the line (CR).
        case lineStart
        /// Erase from the cursor to the end of the line (`ESC [ K`).
        case clearToEndOfLine
        /// One row up (`ESC [ A`): back over a streamed line that is redrawn rendered.
        case cursorUp
        /// Erase from the cursor to the end of the screen (`ESC [ J`).
        case clearToEndOfScreen

        var sequence: String { staticSequence.description }

        var staticSequence: StaticString {
            switch self {
            case .lineStart: "\r"
            case .clearToEndOfLine: "\u{1B}[K"
            case .cursorUp: "\u{1B}[A"
            case .clearToEndOfScreen: "\u{1B}[J"
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

    /// OSC 52, "set the clipboard to `text`": the client's own sequence, written only when the analyst
    /// asks (`/copy`). The payload is base64, so nothing in `text` can end the sequence early.
    static func clipboard(_ text: String) -> TerminalText {
        TerminalText(rendered: "\u{1B}]52;c;" + base64(Array(text.utf8)) + "\u{07}")
    }

    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = UInt32(bytes[index])
            let b1 = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            let b2 = index + 2 < bytes.count ? UInt32(bytes[index + 2]) : 0
            let triple = b0 << 16 | b1 << 8 | b2
            out.append(alphabet[Int(triple >> 18 & 63)])
            out.append(alphabet[Int(triple >> 12 & 63)])
            out.append(index + 1 < bytes.count ? alphabet[Int(triple >> 6 & 63)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? alphabet[Int(triple & 63)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
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
        lhs.rendered += rhs.rendered
    }
}
