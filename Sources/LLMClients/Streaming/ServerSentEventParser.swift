/// Parses `text/event-stream` bytes into events, whatever the chunk boundaries.
///
/// Follows the WHATWG rules that matter to LLM APIs: `data:` lines are joined with `\n`, one leading
/// space after the colon is dropped, lines starting with `:` are comments (keep-alives), a blank line
/// ends an event, and an event with no data is not dispatched.
public struct ServerSentEventParser: Sendable {
    private var lines = LineSplitter()
    private var eventName: String?
    private var data: [UInt8] = []
    private var hasData = false

    public init() {}

    /// Feeds bytes; calls `event` for each complete event.
    public mutating func feed(_ bytes: some Sequence<UInt8>, event: (ServerSentEvent) throws -> Void) rethrows {
        var splitter = LineSplitter(maximumLineLength: lines.maximumLineLength)
        swap(&splitter, &lines)  // move, not copy: no copy-on-write of the pending bytes
        defer { swap(&splitter, &lines) }
        try splitter.feed(bytes) { line in try self.process(line, event: event) }
    }

    /// Ends the stream: an event still open (no blank line after it) is dispatched, leniently.
    public mutating func finish(event: (ServerSentEvent) throws -> Void) rethrows {
        var splitter = LineSplitter(maximumLineLength: lines.maximumLineLength)
        swap(&splitter, &lines)  // move, not copy: no copy-on-write of the pending bytes
        defer { swap(&splitter, &lines) }
        try splitter.finish { line in try self.process(line, event: event) }
        try dispatch(event)
    }

    private mutating func process(_ line: ArraySlice<UInt8>, event: (ServerSentEvent) throws -> Void) rethrows {
        guard let first = line.first else {
            try dispatch(event)
            return
        }
        if first == UInt8(ascii: ":") { return }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        let field = line[line.startIndex..<colon]
        var value = colon < line.endIndex ? line[(colon + 1)...] : line[line.endIndex...]
        if value.first == UInt8(ascii: " ") { value = value.dropFirst() }
        if Self.field(field, is: "data") {
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        } else if Self.field(field, is: "event") {
            eventName = String(decoding: value, as: UTF8.self)
        }
        // `id:` and `retry:` are not used by any LLM API; ignored.
    }

    /// Whether a field name is `name` (a plain comparison of bytes, no generic sequence walk).
    private static func field(_ field: ArraySlice<UInt8>, is name: StaticString) -> Bool {
        guard field.count == name.utf8CodeUnitCount else { return false }
        var offset = 0
        for byte in field {
            guard byte == name.utf8Start[offset] else { return false }
            offset += 1
        }
        return true
    }

    private mutating func dispatch(_ event: (ServerSentEvent) throws -> Void) rethrows {
        defer {
            eventName = nil
            data.removeAll(keepingCapacity: true)
            hasData = false
        }
        guard hasData else { return }
        try event(ServerSentEvent(event: eventName, data: String(decoding: data, as: UTF8.self)))
    }
}
