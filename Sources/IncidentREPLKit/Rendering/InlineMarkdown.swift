/// Inline Markdown of one line: emphasis, strong emphasis, code spans, links, autolinks and
/// backslash escapes, turned into styled spans with the markup taken out.
///
/// Deliberately small and forgiving: what does not parse stays as written. `_` inside a word
/// (`process_name`) is not emphasis. Lines longer than ``literalLength`` are shown as written, so a
/// pathological line cannot make the search for closing delimiters quadratic.
enum InlineMarkdown {
    static let literalLength = 16_384
    /// How far a closing delimiter is looked for.
    private static let searchWindow = 4_096

    /// The spans of `text` in `style` plus what the markup adds, appended to the line being built in `line`.
    static func render(_ text: UnsafeBufferPointer<UInt8>, style: SpanStyle = [], into line: inout DisplayLines) {
        if text.count > literalLength {
            line.append(text, style)
            return
        }
        parse(text, 0..<text.count, style, into: &line)
    }

    /// `!`, `*`, `<`, `[`, `\\`, `_` and `` ` ``: the bytes that may start markup, as bit masks over
    /// 0–63 and 64–127.
    private static let markupLow: UInt64 = 1 << 0x21 | 1 << 0x2A | 1 << 0x3C
    private static let markupHigh: UInt64 = 1 << (0x5B - 64) | 1 << (0x5C - 64) | 1 << (0x5F - 64) | 1 << (0x60 - 64)

    @inline(__always)
    private static func isMarkup(_ byte: UInt8) -> Bool {
        byte < 64 ? markupLow >> byte & 1 != 0 : byte < 128 && markupHigh >> (byte - 64) & 1 != 0
    }

    private static func parse(
        _ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ style: SpanStyle, into line: inout DisplayLines
    ) {
        // Literal text is a range of `b` (a backslash escape starts a new one after the backslash).
        var literalStart = range.lowerBound
        func flush(_ upTo: Int) {
            if literalStart < upTo { line.append(UnsafeBufferPointer(rebasing: b[literalStart..<upTo]), style) }
        }
        let end = range.upperBound
        var i = range.lowerBound
        while i < end {
            let c = b[i]
            guard isMarkup(c) else {
                i += 1
                continue
            }
            switch c {
            case UInt8(ascii: "\\"):
                if i + 1 < end, isPunctuation(b[i + 1]) {
                    flush(i)
                    literalStart = i + 1
                    i += 2
                    continue
                }
            case UInt8(ascii: "`"):
                var run = 0
                while i + run < end, b[i + run] == c { run += 1 }
                if let close = closingBackticks(b, from: i + run, end: end, run: run) {
                    flush(i)
                    var content = (i + run)..<close
                    if content.count >= 2, b[content.lowerBound] == 0x20, b[content.upperBound - 1] == 0x20,
                       b[content].contains(where: { $0 != 0x20 }) {
                        content = (content.lowerBound + 1)..<(content.upperBound - 1)
                    }
                    line.append(UnsafeBufferPointer(rebasing: b[content]), style.union(.code))
                    i = close + run
                    literalStart = i
                } else {
                    i += run
                }
                continue
            case UInt8(ascii: "*"), UInt8(ascii: "_"):
                if let (inner, next, strong) = emphasis(b, at: i, range: range) {
                    flush(i)
                    parse(b, inner, style.union(strong ? .bold : .italic), into: &line)
                    i = next
                    literalStart = i
                    continue
                }
                // A run that opens nothing is written as is (not re-tried character by character).
                var run = 0
                while i + run < end, b[i + run] == c { run += 1 }
                i += run
                continue
            case UInt8(ascii: "["), UInt8(ascii: "!"):
                if let link = link(b, at: i, end: end) {
                    flush(i)
                    let before = line.bytes.count
                    parse(b, link.text, style.union(.link), into: &line)
                    let url = UnsafeBufferPointer(rebasing: b[link.url])
                    let shownCount = line.bytes.count - before
                    let shown = before..<line.bytes.count
                    let shownIsURL = line.bytes.withUnsafeBufferPointer(shown) { $0.elementsEqual(url) }
                    if url.isEmpty || shownIsURL {
                        // Nothing to add.
                    } else if shownCount == 0 {
                        line.append(url, style.union(.link))
                    } else {
                        line.append(" (", style)
                        line.append(url, style.union(.dim))
                        line.append(")", style)
                    }
                    i = link.next
                    literalStart = i
                    continue
                }
            case UInt8(ascii: "<"):
                if let close = autolink(b, at: i, end: end) {
                    flush(i)
                    line.append(UnsafeBufferPointer(rebasing: b[(i + 1)..<close]), style.union(.link))
                    i = close + 1
                    literalStart = i
                    continue
                }
            default:
                break
            }
            i += 1
        }
        flush(end)
    }

    private static func closingBackticks(_ b: UnsafeBufferPointer<UInt8>, from start: Int, end: Int, run: Int) -> Int? {
        var j = start
        let limit = min(end, start + searchWindow)
        while j < limit {
            if b[j] == UInt8(ascii: "`") {
                var k = 0
                while j + k < end, b[j + k] == UInt8(ascii: "`") { k += 1 }
                if k == run { return j }
                j += k
            } else {
                j += 1
            }
        }
        return nil
    }

    /// Emphasis opened at `i`: the inner range, the index after the closing delimiter, and whether it is strong.
    private static func emphasis(
        _ b: UnsafeBufferPointer<UInt8>, at i: Int, range: Range<Int>
    ) -> (Range<Int>, Int, Bool)? {
        let c = b[i]
        let end = range.upperBound
        let strong = i + 1 < end && b[i + 1] == c
        let size = strong ? 2 : 1
        let open = i + size
        guard open < end, !isSpace(b[open]), b[open] != c else { return nil }
        if c == UInt8(ascii: "_"), i > range.lowerBound, isWordByte(b[i - 1]) { return nil }
        var j = open + 1
        let limit = min(end, open + searchWindow)
        while j + size <= limit {
            if b[j] == c, !isSpace(b[j - 1]), b[j - 1] != UInt8(ascii: "\\") {
                let matches = !strong || (j + 1 < end && b[j + 1] == c)
                let after = j + size
                let runsOn = after < end && b[after] == c
                let wordAfter = c == UInt8(ascii: "_") && after < end && isWordByte(b[after])
                if matches, !runsOn, !wordAfter { return (open..<j, after, strong) }
                if b[j] == c {
                    var skip = 0
                    while j + skip < end, b[j + skip] == c { skip += 1 }
                    j += skip
                    continue
                }
            }
            j += 1
        }
        return nil
    }

    /// `[text](url)` or `![alt](url)` at `i`.
    private static func link(
        _ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int
    ) -> (text: Range<Int>, url: Range<Int>, next: Int)? {
        var start = i
        if b[i] == UInt8(ascii: "!") {
            guard i + 1 < end, b[i + 1] == UInt8(ascii: "[") else { return nil }
            start = i + 1
        }
        var depth = 0
        var j = start
        let limit = min(end, start + searchWindow)
        var closeBracket: Int?
        while j < limit {
            switch b[j] {
            case UInt8(ascii: "\\"): j += 1
            case UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { closeBracket = j }
            default: break
            }
            if closeBracket != nil { break }
            j += 1
        }
        guard let close = closeBracket, close + 1 < end, b[close + 1] == UInt8(ascii: "(") else { return nil }
        var k = close + 2
        var parens = 1
        while k < min(end, close + 2 + searchWindow) {
            if b[k] == UInt8(ascii: "(") { parens += 1 }
            if b[k] == UInt8(ascii: ")") {
                parens -= 1
                if parens == 0 { break }
            }
            if isSpace(b[k]) { break }
            k += 1
        }
        guard k < end, b[k] == UInt8(ascii: ")"), parens == 0 else { return nil }
        return ((start + 1)..<close, (close + 2)..<k, k + 1)
    }

    private static let autolinkSchemes: [[UInt8]] = ["http://", "https://", "mailto:"].map { Array($0.utf8) }

    /// `<https://…>` at `i`: the index of `>`.
    private static func autolink(_ b: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        let rest = b[(i + 1)..<min(end, i + 1 + searchWindow)]
        guard autolinkSchemes.contains(where: { rest.starts(with: $0) }) else { return nil }
        for j in rest.indices {
            if b[j] == UInt8(ascii: ">") { return j }
            if isSpace(b[j]) || b[j] == UInt8(ascii: "<") { return nil }
        }
        return nil
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte >= 0x80
    }

    private static func isPunctuation(_ byte: UInt8) -> Bool {
        (0x21...0x2F).contains(byte) || (0x3A...0x40).contains(byte) || (0x5B...0x60).contains(byte)
            || (0x7B...0x7E).contains(byte)
    }
}
