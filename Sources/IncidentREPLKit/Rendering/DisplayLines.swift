/// Rendered lines in one buffer: the text of every line back to back, the runs of one style over it,
/// and where each line ends. What ``MarkdownRenderer`` settles into, reused from chunk to chunk so a
/// streamed answer costs no allocation per line; ``subscript(_:)`` gives a line as a ``DisplayLine``.
///
/// A run covers the bytes from the end of the run before it (or the start of its line) to its `end`;
/// adjacent text of the same style is one run.
public struct DisplayLines: ~Copyable, Sendable {
    struct Run: Sendable {
        var end: Int
        var style: SpanStyle
    }

    /// How much text, and how many lines, a reader that takes lines as they come keeps before it
    /// clears the storage (clearing an array costs more than appending to it).
    static let clearingLimit = 1 << 16
    static let clearingLineLimit = 4_096

    /// The text of every line, without line feeds.
    private(set) var bytes = ByteBuffer()
    private(set) var runs: [Run] = []
    /// Per finished line: the index after its last run, and the offset after its last byte.
    private var runEnds: [Int] = []
    private var byteEnds: [Int] = []

    public init() {}

    /// The finished lines.
    public var count: Int { runEnds.count }

    public var isEmpty: Bool { runEnds.isEmpty }

    /// Where the line being built starts.
    private var openRunStart = 0
    private var openByteStart = 0

    /// Forgets every line, keeping the storage.
    public mutating func removeAll() {
        bytes.removeAll()
        runs.removeAll(keepingCapacity: true)
        runEnds.removeAll(keepingCapacity: true)
        byteEnds.removeAll(keepingCapacity: true)
        openRunStart = 0
        openByteStart = 0
    }

    // MARK: - Building

    /// Appends text in `style` to the line being built.
    mutating func append(_ text: UnsafeBufferPointer<UInt8>, _ style: SpanStyle) {
        guard !text.isEmpty else { return }
        bytes.append(text)
        extendRun(style)
    }

    /// Appends the renderer's own text (markers, bars, labels).
    mutating func append(_ text: StaticString, _ style: SpanStyle) {
        append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), style)
    }

    mutating func append(_ text: String, _ style: SpanStyle) {
        guard !text.isEmpty else { return }
        var text = text
        text.withUTF8 { bytes.append($0) }
        extendRun(style)
    }

    /// Appends `count` copies of `byte` (spaces of padding).
    mutating func append(repeating byte: UInt8, count: Int, _ style: SpanStyle) {
        guard count > 0 else { return }
        bytes.append(repeating: byte, count: count)
        extendRun(style)
    }

    /// Appends `count` copies of `text`.
    mutating func append(repeating text: StaticString, count: Int, _ style: SpanStyle) {
        guard count > 0 else { return }
        bytes.append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount), times: count)
        extendRun(style)
    }

    private mutating func extendRun(_ style: SpanStyle) {
        if runs.count > openRunStart, runs[runs.count - 1].style == style {
            runs[runs.count - 1].end = bytes.count
        } else {
            runs.append(Run(end: bytes.count, style: style))
        }
    }

    /// Appends line `index` of `other` to the line being built.
    mutating func append(line index: Int, of other: borrowing DisplayLines) {
        other.forEachRun(ofLine: index) { text, style in append(text, style) }
    }

    /// Appends the part of the line being built in `other` that lies in `range` (offsets into its bytes).
    mutating func append(openLineOf other: borrowing DisplayLines, bytes range: Range<Int>) {
        guard !range.isEmpty else { return }
        var start = other.openByteStart
        for index in other.openRunStart..<other.runs.count {
            let run = other.runs[index]
            let lower = max(start, range.lowerBound), upper = min(run.end, range.upperBound)
            if lower < upper {
                bytes.append(other.bytes, lower..<upper)
                extendRun(run.style)
            }
            if run.end >= range.upperBound { break }
            start = run.end
        }
    }

    /// Ends the line being built (it may be empty).
    mutating func endLine() {
        runEnds.append(runs.count)
        byteEnds.append(bytes.count)
        openRunStart = runs.count
        openByteStart = bytes.count
    }

    /// Where the line being built stands, to go back to with ``truncateOpenLine(to:)``.
    struct Mark {
        fileprivate let bytes: Int
        fileprivate let runs: Int
    }

    var mark: Mark { Mark(bytes: bytes.count, runs: runs.count) }

    /// Drops what was appended to the line being built since `mark` was taken (at its start).
    mutating func truncateOpenLine(to mark: Mark) {
        bytes.removeLast(bytes.count - mark.bytes)
        runs.removeLast(runs.count - mark.runs)
    }

    /// Drops the spaces at the end of the line being built, across runs.
    mutating func trimTrailingSpaces() {
        let start = openByteStart
        while bytes.count > start, bytes[bytes.count - 1] == 0x20 {
            bytes.removeLast(1)
            let runStart = runs.count - 1 > openRunStart ? runs[runs.count - 2].end : start
            if bytes.count <= runStart {
                runs.removeLast()
            } else {
                runs[runs.count - 1].end = bytes.count
            }
        }
    }

    // MARK: - Reading

    /// The bytes of the line being built (not yet ended).
    var openLineBytes: Range<Int> { openByteStart..<bytes.count }

    /// Whether the line being built is one run of `style` and `count` bytes.
    func openLineIsOneRun(style: SpanStyle, count: Int) -> Bool {
        runs.count == openRunStart + 1 && runs[openRunStart].style == style && bytes.count - openByteStart == count
    }

    /// Calls `body` with each run of line `index` (the line being built when `index == count`).
    func forEachRun(ofLine index: Int, _ body: (UnsafeBufferPointer<UInt8>, SpanStyle) -> Void) {
        let firstRun = index == 0 ? 0 : runEnds[index - 1]
        let lastRun = index < runEnds.count ? runEnds[index] : runs.count
        var start = index == 0 ? 0 : byteEnds[index - 1]
        bytes.withUnsafeBufferPointer { buffer in
            runs.withUnsafeBufferPointer { runs in
                for run in firstRun..<lastRun {
                    body(UnsafeBufferPointer(rebasing: buffer[start..<runs[run].end]), runs[run].style)
                    start = runs[run].end
                }
            }
        }
    }

    /// The columns of line `index` (the line being built when `index == count`).
    func width(ofLine index: Int) -> Int {
        var columns = 0
        forEachRun(ofLine: index) { text, _ in columns += DisplayWidth.columns(of: text) }
        return columns
    }

    /// Line `index` as a ``DisplayLine``.
    public subscript(index: Int) -> DisplayLine {
        var spans: [DisplayLine.Span] = []
        forEachRun(ofLine: index) { text, style in
            spans.append(DisplayLine.Span(String(decoding: text, as: UTF8.self), style))
        }
        return DisplayLine(spans)
    }

    /// Every finished line as a ``DisplayLine`` (tests, one-shot rendering).
    public var lines: [DisplayLine] {
        (0..<count).map { self[$0] }
    }
}
