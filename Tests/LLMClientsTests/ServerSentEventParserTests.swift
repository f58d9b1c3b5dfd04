import LLMClients
import Testing

@Suite("Server-sent events")
struct ServerSentEventParserTests {
    static let stream = Array("""
    event: message_start\r
    data: {"a":1}\r
    \r
    : keep-alive comment\r
    data: first line\r
    data:second line\r
    \r
    data: [DONE]\r
    \r

    """.utf8)

    static let expected = [
        ServerSentEvent(event: "message_start", data: #"{"a":1}"#),
        ServerSentEvent(event: nil, data: "first line\nsecond line"),
        ServerSentEvent(event: nil, data: "[DONE]"),
    ]

    func parse(_ chunks: [[UInt8]]) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { parser.feed(chunk) { events.append($0) } }
        parser.finish { events.append($0) }
        return events
    }

    @Test func parsesEventsCommentsAndMultiLineData() {
        #expect(parse([Self.stream]) == Self.expected)
    }

    @Test func givesTheSameEventsWhenSplitAtEveryByteOffset() {
        for offset in 0...Self.stream.count {
            let chunks = [Array(Self.stream[..<offset]), Array(Self.stream[offset...])]
            #expect(parse(chunks) == Self.expected, "split at \(offset)")
        }
    }

    @Test func givesTheSameEventsFedOneByteAtATime() {
        #expect(parse(Self.stream.map { [$0] }) == Self.expected)
    }

    @Test func acceptsLineFeedOnlyAndLoneCarriageReturnLineEnds() {
        let lf = Array("data: a\n\ndata: b\n\n".utf8)
        let cr = Array("data: a\r\rdata: b\r\r".utf8)
        let expected = [ServerSentEvent(data: "a"), ServerSentEvent(data: "b")]
        #expect(parse([lf]) == expected)
        #expect(parse([cr]) == expected)
        for offset in 0...cr.count {
            #expect(parse([Array(cr[..<offset]), Array(cr[offset...])]) == expected, "CR split at \(offset)")
        }
    }

    @Test func dispatchesAnUnterminatedLastEventAtTheEnd() {
        #expect(parse([Array("data: tail".utf8)]) == [ServerSentEvent(data: "tail")])
    }

    @Test func ignoresEventsWithoutData() {
        #expect(parse([Array("event: ping\n\n: comment\n\n".utf8)]).isEmpty)
    }

    @Test func keepsMultiByteCharactersSplitAcrossChunks() {
        let bytes = Array("data: héllo → 世界\n\n".utf8)
        for offset in 0...bytes.count {
            #expect(parse([Array(bytes[..<offset]), Array(bytes[offset...])]) == [ServerSentEvent(data: "héllo → 世界")])
        }
    }
}

@Suite("Line splitting for NDJSON")
struct LineSplitterTests {
    static let stream = Array("{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}".utf8)

    func split(_ chunks: [[UInt8]]) -> [String] {
        var splitter = LineSplitter()
        var lines: [String] = []
        for chunk in chunks { splitter.feed(chunk) { lines.append(String(decoding: $0, as: UTF8.self)) } }
        splitter.finish { lines.append(String(decoding: $0, as: UTF8.self)) }
        return lines
    }

    @Test func givesTheSameLinesWhenSplitAtEveryByteOffset() {
        let expected = [#"{"a":1}"#, #"{"b":2}"#, "", #"{"c":3}"#]
        for offset in 0...Self.stream.count {
            #expect(split([Array(Self.stream[..<offset]), Array(Self.stream[offset...])]) == expected, "split at \(offset)")
        }
    }

    /// Lines as the SSE specification defines them, one byte at a time: LF, CRLF or a lone CR ends a line.
    static func referenceLines(_ bytes: [UInt8]) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        var line: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x0A || byte == 0x0D {
                lines.append(line)
                line = []
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
            } else {
                line.append(byte)
            }
            index += 1
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    @Test("Long lines and line ends next to look-alike bytes split as the byte-by-byte reference does")
    func findsLineEndsAmongLookAlikeBytesAsTheReferenceDoes() {
        var generator = SeededGenerator(seed: 0x5EED)
        // Bytes that differ from LF or CR in one bit, or sit next to them, test the eight-byte scan.
        let lookAlikes: [UInt8] = [0x0B, 0x0C, 0x09, 0x0E, 0x08, 0x8A, 0x8D, 0x00, 0xFF, 0x2A, 0x2D, 0x61]
        for round in 0..<2000 {
            let newlineWeight = round % 4 == 0 ? 40 : 2  // mostly long lines, sometimes dense line ends
            let bytes = (0..<Int.random(in: 0...200, using: &generator)).map { _ -> UInt8 in
                Int.random(in: 0..<100, using: &generator) < newlineWeight
                    ? [0x0A, 0x0D].randomElement(using: &generator)! : lookAlikes.randomElement(using: &generator)!
            }
            var cuts = [0]
            while cuts.last! < bytes.count { cuts.append(min(bytes.count, cuts.last! + Int.random(in: 1...40, using: &generator))) }
            var splitter = LineSplitter()
            var lines: [[UInt8]] = []
            for (from, to) in zip(cuts, cuts.dropFirst()) { splitter.feed(Array(bytes[from..<to])) { lines.append(Array($0)) } }
            splitter.finish { lines.append(Array($0)) }
            #expect(lines == Self.referenceLines(bytes), "round \(round): \(bytes)")
        }
    }

    @Test func capsAnOverlongLineInsteadOfBufferingWithoutBound() {
        var splitter = LineSplitter(maximumLineLength: 10)
        var lines: [Int] = []
        splitter.feed(Array(repeating: UInt8(ascii: "x"), count: 100)) { lines.append($0.count) }
        splitter.feed(Array("yy\nz\n".utf8)) { lines.append($0.count) }
        #expect(lines == [10, 1])
    }
}
