import Safeguards

/// What one write puts on the terminal, built piece by piece in storage kept from write to write:
/// the same guarantee as ``TerminalText`` (sanitized text, escape sequences only from its fixed
/// tables) for a rendered answer that redraws a line at every line feed.
///
/// Text goes in as it is when ``OutputSanitizer/isInert(_:)`` (it was sanitized before it was
/// rendered), sanitized otherwise; there is no way to append raw bytes.
struct TerminalBuffer: ~Copyable {
    /// The start sequences of a table of style combinations (one per ``SpanStyle`` raw value), built
    /// only from ``TerminalText/Style``'s fixed sequences.
    struct StyleSequences: Sendable {
        fileprivate var bytes: [UInt8] = []
        fileprivate var ranges: [Range<Int>] = []

        init(_ table: [[TerminalText.Style]]) {
            for styles in table {
                let start = bytes.count
                for style in styles { bytes += Array(style.start.utf8) }
                ranges.append(start..<bytes.count)
            }
        }

        /// Whether entries `a` and `b` show the same (the same sequences, or none for both).
        func looksSame(_ a: Int, _ b: Int) -> Bool {
            let first = ranges[a], second = ranges[b]
            return first == second || (first.isEmpty && second.isEmpty)
        }
    }

    private var bytes = ByteBuffer()

    /// What the next write holds, borrowed for the call.
    func withWritten(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        bytes.withUnsafeBufferPointer(body)
    }

    /// Starts the next write (the storage is kept).
    mutating func removeAll() {
        bytes.removeAll()
    }

    /// Text, sanitized unless it is inert already.
    mutating func append(text: UnsafeBufferPointer<UInt8>) {
        if OutputSanitizer.isInert(text) {
            bytes.append(text)
        } else {
            var safe = OutputSanitizer.sanitize(String(decoding: text, as: UTF8.self))
            safe.withUTF8 { bytes.append($0) }
        }
    }

    /// The start of the styles of entry `index` of `sequences`, left on until ``appendReset()``.
    mutating func appendStart(of index: Int, in sequences: StyleSequences) {
        let range = sequences.ranges[index]
        guard !range.isEmpty else { return }
        sequences.bytes.withUnsafeBufferPointer { bytes.append(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Ends every style.
    mutating func appendReset() {
        let reset = TerminalText.Style.resetSequence
        bytes.append(UnsafeBufferPointer(start: reset.utf8Start, count: reset.utf8CodeUnitCount))
    }

    /// Text in the styles of entry `index` of `sequences` (none: plain).
    mutating func append(text: UnsafeBufferPointer<UInt8>, style index: Int, of sequences: StyleSequences) {
        let range = sequences.ranges[index]
        guard !range.isEmpty else { return append(text: text) }
        sequences.bytes.withUnsafeBufferPointer { bytes.append(UnsafeBufferPointer(rebasing: $0[range])) }
        append(text: text)
        let reset = TerminalText.Style.resetSequence
        bytes.append(UnsafeBufferPointer(start: reset.utf8Start, count: reset.utf8CodeUnitCount))
    }

    mutating func appendLineFeed() {
        bytes.append(0x0A)
    }

    mutating func append(_ control: TerminalText.Control) {
        let sequence = control.staticSequence
        bytes.append(UnsafeBufferPointer(start: sequence.utf8Start, count: sequence.utf8CodeUnitCount))
    }
}
