import Safeguards

/// What one write puts on the terminal, built piece by piece in storage kept from write to write:
/// the same guarantee as ``TerminalText`` (sanitized text, escape sequences only from its fixed
/// tables) for a rendered answer that redraws a line at every line feed.
///
/// Text goes in as it is when ``OutputSanitizer/isInert(_:)`` (it was sanitized before it was
/// rendered), sanitized otherwise; there is no way to append raw bytes.
struct TerminalBuffer {
    private(set) var bytes: [UInt8] = []

    /// The start sequence of each ``TerminalText/Style``, by raw value.
    private static let starts = TerminalText.Style.allCases.map { Array($0.start.utf8) }
    private static let reset = Array(TerminalText.Style.reset.utf8)

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
    }

    /// Text, sanitized unless it is inert already.
    mutating func append(text: UnsafeBufferPointer<UInt8>) {
        if OutputSanitizer.isInert(text) {
            bytes.append(contentsOf: text)
        } else {
            bytes.append(contentsOf: OutputSanitizer.sanitize(String(decoding: text, as: UTF8.self)).utf8)
        }
    }

    /// Text in `styles` (none: plain); the caller decides which styles the terminal may show.
    mutating func append(text: UnsafeBufferPointer<UInt8>, styles: [TerminalText.Style]) {
        guard !styles.isEmpty else { return append(text: text) }
        for style in styles { bytes.append(contentsOf: Self.starts[style.rawValue]) }
        append(text: text)
        bytes.append(contentsOf: Self.reset)
    }

    mutating func appendLineFeed() {
        bytes.append(0x0A)
    }

    mutating func append(_ control: TerminalText.Control) {
        bytes.append(contentsOf: control.sequence.utf8)
    }
}
