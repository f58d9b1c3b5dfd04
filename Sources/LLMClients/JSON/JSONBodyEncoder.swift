/// Encodes a request body into one byte array of exactly its size, with no other copy of it.
///
/// `JSONEncoder` builds the document in a buffer that grows by doubling and then copies it into
/// `Data` (which the transport then copied into `[UInt8]`): a 4 MB conversation briefly took
/// ≈9 MB on top of itself, and the freed blocks stayed resident. This encoder walks the value twice
/// through the same `Encodable` conformances, once to count the bytes and once to write them into
/// an array reserved to that count, so the body is the only allocation of its size.
///
/// The output is the JSON that `JSONEncoder` with `.withoutEscapingSlashes` writes, member for member:
/// the same string escapes (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, `\u00xx` for other controls,
/// everything else verbatim), numbers as their `description` without a trailing `.0`, non-finite
/// floats rejected, and `nil` optionals omitted by synthesized conformances. Object members appear in
/// the order they are encoded (`JSONEncoder`'s order is unspecified). Foundation's special cases
/// (`Data`, `Date`, `URL`, `Decimal`) are rejected rather than imitated: request bodies hold none.
/// A value that encodes nothing at all is `{}`.
enum JSONBodyEncoder {
    /// Bodies up to this size are written in one pass (their array may grow by doubling: at most
    /// this much to spare); larger ones take a counting pass and an exact one.
    static let onePassLimit = 256 << 10

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let first = JSONStreamWriter(sink: .buffer(upTo: onePassLimit))
        try write(value, with: first)
        if !first.sink.isCounting { return first.sink.bytes }
        // The writer owns the only reference to the reserved array, so appending never copies it.
        let writer = JSONStreamWriter(sink: .buffer(capacity: first.sink.count))
        try write(value, with: writer)
        return writer.sink.bytes
    }

    private static func write(_ value: some Encodable, with writer: JSONStreamWriter) throws {
        try JSONStreamEncoder.encode(value, into: writer, depth: 0, parentPath: [], key: nil)
        writer.settle(above: -1)
    }
}
