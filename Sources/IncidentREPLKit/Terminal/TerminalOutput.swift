#if canImport(Glibc)
import Glibc
#endif
import Safeguards

/// Writes to the terminal (or a pipe), unbuffered so tokens appear as they arrive.
///
/// Sanitized by construction: every `String` that reaches the descriptor goes through the
/// ``OutputSanitizer`` on the way, whoever wrote it and whatever it interpolates (a provider's error
/// body, a journaled paste, a file name); text already sanitized and cut up (a rendered answer's
/// pieces, through ``TerminalBuffer`` or `write(checking:)`) is checked with
/// ``OutputSanitizer/isInert(_:)`` and sanitized again if the check fails. The only bytes written
/// unchecked are the escape sequences of the fixed tables ``TerminalText/Style`` and
/// ``TerminalText/Control``, which only ``TerminalText`` and ``TerminalBuffer`` can emit, and only on
/// a TTY without `NO_COLOR` for styles.
///
/// ```swift
/// errors.write(errors.dim("context: the summary failed (\(error))") + "\n")  // error is sanitized
/// output.writeUntrusted(delta)                                             // a stream, chunk by chunk
/// ```
public final class TerminalOutput: @unchecked Sendable {
    public let descriptor: Int32
    public let usesColor: Bool
    public let isTerminal: Bool
    /// The stream sanitizer of ``writeUntrusted(_:)``: holds a CR that may start a CRLF.
    private var sanitizer = OutputSanitizer()

    /// - Parameters:
    ///   - descriptor: 1 for stdout, 2 for stderr.
    public init(descriptor: Int32, environment: [String: String]) {
        self.descriptor = descriptor
        isTerminal = isatty(descriptor) == 1
        usesColor = isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// An output whose colour use is decided by the caller (tests: styles on a pipe).
    init(descriptor: Int32, usesColor: Bool) {
        self.descriptor = descriptor
        isTerminal = isatty(descriptor) == 1
        self.usesColor = usesColor
    }

    /// Writes text, sanitized: control characters, escape sequences and invisible characters are
    /// shown inert (`^[`, `<U+202E>`); line feeds and tabs stay.
    public func write(_ text: String) {
        writeBytes(OutputSanitizer.sanitize(text))
    }

    /// Writes text that is already safe: sanitized pieces and the client's own styles.
    public func write(_ text: TerminalText) {
        writeBytes(text.rendered)
    }

    /// Writes UTF-8 text that was sanitized already (a piece of a rendered answer): as it is when
    /// ``OutputSanitizer/isInert(_:)`` confirms it, sanitized otherwise.
    func write(checking text: UnsafeBufferPointer<UInt8>) {
        if OutputSanitizer.isInert(text) {
            writeBytes(text)
        } else {
            write(String(decoding: text, as: UTF8.self))
        }
    }

    /// Writes what a ``TerminalBuffer`` collected (sanitized text and the client's own sequences).
    func write(_ buffer: borrowing TerminalBuffer) {
        buffer.withWritten { writeBytes($0) }
    }

    /// The next piece of a stream (model deltas, an echoed paste): sanitized with the stream's
    /// state, so a sequence split across pieces is caught.
    public func writeUntrusted(_ text: String) {
        let safe = sanitizer.sanitize(text)
        if !safe.isEmpty { writeBytes(safe) }
    }

    /// The next piece of a stream sanitized with `sanitizer` (a rendered answer's), written; returns
    /// the sanitized text.
    func writeUntrusted(_ text: String, sanitizer: inout OutputSanitizer) -> String {
        let safe = sanitizer.sanitize(text)
        if !safe.isEmpty { writeBytes(safe) }
        return safe
    }

    /// Ends an untrusted stream (flushes a held-back partial sequence).
    public func finishUntrusted() {
        let rest = sanitizer.finish()
        if !rest.isEmpty { writeBytes(rest) }
    }

    /// A whole string and a line feed (error messages, model names); the same as `write(text + "\n")`.
    public func writeUntrustedLine(_ text: String) {
        write(text + "\n")
    }

    /// `text` sanitized and dimmed (status lines, footers) when colour is allowed; plain otherwise.
    public func dim(_ text: String) -> TerminalText {
        styled(text, .dim)
    }

    /// `text` sanitized and red (error labels) when colour is allowed; plain otherwise.
    public func red(_ text: String) -> TerminalText {
        styled(text, .red)
    }

    /// `text` sanitized and wrapped in `style` when colour is allowed; plain otherwise.
    public func styled(_ text: String, _ style: TerminalText.Style) -> TerminalText {
        TerminalText(text, style: usesColor ? style : nil)
    }

    /// The only raw write: bytes known to be safe.
    private func writeBytes(_ text: String) {
        var text = text
        text.withUTF8 { writeBytes($0) }
    }

    private func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
