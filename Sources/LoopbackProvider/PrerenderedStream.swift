/// A streamed answer of many deltas rendered once into large byte buffers, so a benchmark measures
/// the client and not the server: each request reuses the same buffers (copy-on-write), and each
/// buffer goes out as one chunk in as few `send` calls as the kernel allows.
public struct PrerenderedStream: Sendable {
    /// The wire format.
    public let format: ProviderFormat
    /// The number of text deltas in the stream.
    public let deltaCount: Int
    /// The size of the whole (unframed) stream body in bytes.
    public let byteCount: Int
    /// The answer text's size in bytes (the concatenated deltas).
    public let textByteCount: Int
    /// The reply to serve (chunked, one chunk per buffer of up to `writeSize` bytes).
    public let reply: Reply

    /// Renders `deltaCount` deltas of `delta` in `format`.
    /// - Parameters:
    ///   - writeSize: the size of each buffer (chunk), 1 MiB by default.
    public init(
        _ format: ProviderFormat, deltaCount: Int, delta: String = "tok ", usage: TokenUsage? = nil,
        model: String = ProviderFormat.defaultModel, writeSize: Int = 1 << 20
    ) {
        let renderer = StreamRenderer(format: format, model: model, usage: usage ?? .standard(deltaCount: deltaCount))
        var parts: [Reply.Part] = []
        var buffer: [UInt8] = []
        buffer.reserveCapacity(writeSize + 4096)
        var total = 0
        func append(_ bytes: some Collection<UInt8>) {
            buffer.append(contentsOf: bytes)
            if buffer.count >= writeSize {
                total += buffer.count
                parts.append(.bytes(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        for event in renderer.head() { append(Array(event.utf8)) }
        let constant = renderer.deltaVaries ? nil : Array(renderer.delta(delta, index: 0, count: deltaCount).utf8)
        for index in 0..<deltaCount {
            if let constant {
                append(constant)
            } else {
                append(Array(renderer.delta(delta, index: index, count: deltaCount).utf8))
            }
        }
        for event in renderer.tail(deltaCount: deltaCount) { append(Array(event.utf8)) }
        if !buffer.isEmpty {
            total += buffer.count
            parts.append(.bytes(buffer))
        }
        self.format = format
        self.deltaCount = deltaCount
        self.byteCount = total
        self.textByteCount = delta.utf8.count * deltaCount
        self.reply = Reply(
            status: 200,
            headers: [("content-type", format.streamContentType), ("cache-control", "no-cache")],
            parts: parts, chunked: true)
    }
}
