#if canImport(Glibc)
import Glibc
#endif
import Safeguards

/// Writes to the terminal (or a pipe), unbuffered so tokens appear as they arrive.
///
/// Every piece of text that came over the network goes through ``writeUntrusted(_:)``, which runs it
/// through the stream ``OutputSanitizer``; the client's own styling is added outside it and only on
/// a TTY without `NO_COLOR`.
public final class TerminalOutput: @unchecked Sendable {
    public let descriptor: Int32
    public let usesColor: Bool
    public let isTerminal: Bool
    private var sanitizer = OutputSanitizer()

    /// - Parameters:
    ///   - descriptor: 1 for stdout, 2 for stderr.
    public init(descriptor: Int32, environment: [String: String]) {
        self.descriptor = descriptor
        isTerminal = isatty(descriptor) == 1
        usesColor = isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
    }

    /// The client's own text (prompts, banners, labels): written as is.
    public func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if written < 0, errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }

    /// Text that came from the network or from pasted input: sanitised on the way out.
    public func writeUntrusted(_ text: String) {
        let safe = sanitizer.sanitize(text)
        if !safe.isEmpty { write(safe) }
    }

    /// Ends an untrusted stream (flushes a held-back partial sequence).
    public func finishUntrusted() {
        let rest = sanitizer.finish()
        if !rest.isEmpty { write(rest) }
    }

    /// A whole untrusted string at once (error messages, model names).
    public func writeUntrustedLine(_ text: String) {
        write(OutputSanitizer.sanitize(text) + "\n")
    }

    /// Dim text (status lines, footers) when colour is allowed; plain otherwise.
    public func dim(_ text: String) -> String {
        usesColor ? "\u{1B}[2m\(text)\u{1B}[0m" : text
    }

    public func red(_ text: String) -> String {
        usesColor ? "\u{1B}[31m\(text)\u{1B}[0m" : text
    }
}
