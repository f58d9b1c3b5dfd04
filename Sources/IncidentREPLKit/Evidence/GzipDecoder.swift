internal import CZlib
import ConversationCore

/// Decompresses gzip data (one member or several concatenated, as `cat a.gz b.gz` makes) with zlib.
enum GzipDecoder {
    /// Whether `bytes` start with the gzip magic number.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The decompressed bytes, at most `limit` of them.
    /// - Throws: ``REPLError/file(path:reason:)`` naming `path` when the data is corrupt or
    ///   truncated, or decompresses to more than `limit` bytes.
    static func decompress(_ input: [UInt8], path: String, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard czlib_inflate_init_gzip(&stream) == Z_OK else {
            throw REPLError.file(path: path, reason: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        try input.withUnsafeBufferPointer { source in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = uInt(source.count)
            while true {
                let (status, produced) = buffer.withUnsafeMutableBufferPointer { target -> (Int32, Int) in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                output.append(contentsOf: buffer[..<produced])
                guard output.count <= limit else {
                    throw REPLError.file(path: path, reason: "decompresses to more than \(limit.grouped) bytes; "
                        + "select the part you need first (zcat FILE | grep PATTERN > part.log), then /file part.log")
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    let rest = Int(stream.avail_in)
                    // Another member follows, or padding (zeros) that ends the file.
                    if rest == 0 || source.suffix(rest).allSatisfy({ $0 == 0 }) { return }
                    guard inflateReset(&stream) == Z_OK else {
                        throw REPLError.file(path: path, reason: "corrupt gzip data after the first member")
                    }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw REPLError.file(path: path, reason: "the gzip data is truncated (the file ends mid-stream)")
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                    throw REPLError.file(path: path, reason: "corrupt gzip data (\(message))")
                }
            }
        }
        return output
    }
}
