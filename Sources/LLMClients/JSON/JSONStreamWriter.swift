/// Where ``JSONStreamWriter`` puts its bytes: an array, which (for the first pass of
/// ``JSONBodyEncoder``) gives up and only counts once it would pass a limit.
struct JSONOutput {
    /// The bytes, while not only counting.
    private(set) var bytes: [UInt8] = []
    /// Bytes written so far.
    private(set) var count = 0
    /// Whether the bytes are only counted (from the start, or since the limit was passed).
    private(set) var isCounting: Bool
    private let limit: Int

    /// Keeps the bytes in an array with room for `capacity` of them.
    static func buffer(capacity: Int) -> JSONOutput {
        var output = JSONOutput(isCounting: false, limit: .max)
        output.bytes.reserveCapacity(capacity)
        return output
    }

    /// Keeps the bytes while there are at most `limit` of them; past that, drops them and only
    /// counts, so that a large document is sized first and written once into an exact buffer.
    static func buffer(upTo limit: Int) -> JSONOutput {
        JSONOutput(isCounting: false, limit: limit)
    }

    private init(isCounting: Bool, limit: Int) {
        self.isCounting = isCounting
        self.limit = limit
    }

    mutating func append(_ byte: UInt8) {
        count += 1
        if !isCounting { keep { $0.append(byte) } }
    }

    mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        count += buffer.count
        if !isCounting { keep { $0.append(contentsOf: buffer) } }
    }

    /// ASCII text (punctuation, literals, numbers).
    mutating func append(contentsOf text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    private mutating func keep(_ write: (inout [UInt8]) -> Void) {
        if count > limit {
            isCounting = true
            bytes = []
        } else {
            write(&bytes)
        }
    }
}

/// Writes JSON front to back into a sink, keeping the stack of objects and arrays still open.
///
/// The `Encodable` side (``JSONStreamEncoder``) asks for members and values; the writer adds the
/// punctuation. A container is identified by the sink offset of its opening bracket, so a container
/// that is written to after a later sibling has been opened is detected instead of producing
/// misplaced JSON. Containers left open are closed when their parent writes its next member, when
/// the value that opened them returns, or at the end of the document.
final class JSONStreamWriter {
    struct Frame {
        let isObject: Bool
        /// The sink offset of the opening bracket: the frame's identity.
        let start: Int
        var count = 0
    }

    // The writer lives inside one `JSONBodyEncoder.encode` call on one thread; its state is touched
    // for every value, so the runtime exclusivity checks of class properties are left out.
    @exclusivity(unchecked) var sink: JSONOutput
    @exclusivity(unchecked) private(set) var frames: [Frame] = []
    /// A value slot handed out without being filled at once (a `superEncoder`): `{}` if it stays empty.
    @exclusivity(unchecked) private var pendingSlot: (depth: Int, start: Int)?

    init(sink: JSONOutput) {
        self.sink = sink
    }

    // MARK: - Structure

    /// Opens an object or array in the empty slot at `depth` that starts at `start`, or returns the
    /// one already open there when the same kind is asked for again (as `JSONEncoder` merges them).
    func openContainer(isObject: Bool, depth: Int, slotStart: Int) -> Int {
        if sink.count == slotStart {
            claimSlot(depth: depth, start: slotStart)
            precondition(frames.count == depth, "JSONStreamWriter: a container was opened out of order")
            sink.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
            frames.append(Frame(isObject: isObject, start: slotStart))
            return slotStart
        }
        precondition(
            frames.count > depth && frames[depth].start == slotStart && frames[depth].isObject == isObject,
            "JSONStreamWriter: a value was already encoded in this position"
        )
        settle(above: depth)
        return slotStart
    }

    /// Starts the next member of the container at `depth` (a key and colon in an object), closing
    /// anything still open inside its previous member.
    func beginMember(depth: Int, start: Int, key: String?, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard frames.count > depth, frames[depth].start == start else {
            throw EncodingError.invalidValue(key ?? "", .init(
                codingPath: codingPath(), debugDescription: "Written to a container after a later container was opened"
            ))
        }
        settle(above: depth)
        if frames[depth].count > 0 { sink.append(UInt8(ascii: ",")) }
        frames[depth].count += 1
        if let key {
            writeString(key)
            sink.append(UInt8(ascii: ":"))
        }
    }

    /// The member count of the container at `depth` that starts at `start` (0 once it is closed).
    func memberCount(depth: Int, start: Int) -> Int {
        frames.count > depth && frames[depth].start == start ? frames[depth].count : 0
    }

    /// Hands out the current (just begun) slot for later filling; it becomes `{}` if nothing is written.
    func deferSlot(depth: Int) {
        pendingSlot = (depth, sink.count)
    }

    /// Prepares the empty slot at `depth` that begins at `start` for its value: it is no longer a
    /// deferred slot waiting for `{}`, and nothing deeper is open.
    func claimSlot(depth: Int, start: Int) {
        if pendingSlot?.start == start { pendingSlot = nil }
        settle(above: depth - 1)
    }

    /// Closes every container deeper than `depth` (and fills an abandoned deferred slot with `{}`).
    func settle(above depth: Int) {
        if let pending = pendingSlot, pending.depth > depth {
            if sink.count == pending.start { sink.append(contentsOf: "{}") }
            pendingSlot = nil
        }
        while frames.count > depth + 1 {
            let frame = frames.removeLast()
            sink.append(frame.isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
        }
    }

    // MARK: - Scalars

    func writeNull() { sink.append(contentsOf: "null") }

    func writeBool(_ value: Bool) { sink.append(contentsOf: value ? "true" : "false") }

    func writeInteger(_ value: some FixedWidthInteger) {
        sink.append(contentsOf: value.description)
    }

    /// As `JSONEncoder` writes a float: its shortest `description`, without a trailing `.0`;
    /// NaN and infinities throw (JSON has no spelling for them).
    func writeFloat<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, codingPath: @autoclosure () -> [any CodingKey]) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(
                codingPath: codingPath(), debugDescription: "Unable to encode \(F.self).\(value) directly in JSON."
            ))
        }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        sink.append(contentsOf: text)
    }

    /// A string in quotes, escaped as `JSONEncoder` with `.withoutEscapingSlashes` escapes it:
    /// `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for the other controls; everything else as is.
    func writeString(_ string: String) {
        var string = string
        string.withUTF8 { utf8 in
            sink.append(UInt8(ascii: "\""))
            var runStart = 0
            var index = 0
            let count = utf8.count
            while index < count {
                // Eight bytes at a time while none needs escaping (nearly all text).
                while index &+ 8 <= count, !Self.needsEscape(UnsafeRawPointer(utf8.baseAddress! + index).loadUnaligned(as: UInt64.self)) {
                    index &+= 8
                }
                guard index < count else { break }
                let byte = utf8[index]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    index += 1
                    continue
                }
                if runStart < index { sink.append(UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
                writeEscape(byte)
                index += 1
                runStart = index
            }
            if runStart < count { sink.append(UnsafeBufferPointer(rebasing: utf8[runStart..<count])) }
            sink.append(UInt8(ascii: "\""))
        }
    }

    /// Whether any of eight bytes is a control, a quote or a backslash ("has less than" bit tricks,
    /// exact for the question whether any byte matches).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasByteBelow(_ x: UInt64, _ n: UInt64) -> UInt64 { (x &- ones &* n) & ~x & highs }
        let control = hasByteBelow(word, 0x20)
        let quote = hasByteBelow(word ^ (ones &* 0x22), 1)
        let backslash = hasByteBelow(word ^ (ones &* 0x5C), 1)
        return control | quote | backslash != 0
    }

    private func writeEscape(_ byte: UInt8) {
        sink.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): sink.append(byte)
        case 0x08: sink.append(UInt8(ascii: "b"))
        case 0x09: sink.append(UInt8(ascii: "t"))
        case 0x0A: sink.append(UInt8(ascii: "n"))
        case 0x0C: sink.append(UInt8(ascii: "f"))
        case 0x0D: sink.append(UInt8(ascii: "r"))
        default:
            let hex: StaticString = "0123456789abcdef"
            sink.append(contentsOf: "u00")
            sink.append(hex.utf8Start[Int(byte >> 4)])
            sink.append(hex.utf8Start[Int(byte & 0x0F)])
        }
    }
}
