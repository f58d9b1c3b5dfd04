/// Splits a byte stream into lines, whatever the chunk boundaries: LF, CRLF and lone CR end a line
/// (as in the SSE specification). Used directly for NDJSON and underneath the SSE parser.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    private var lastWasCR = false
    /// The storage handed to `line` for a line that arrived whole in one chunk.
    private var lineBuffer: [UInt8] = []
    /// The longest line kept; beyond it the rest of the line is dropped (a hostile server cannot make
    /// us buffer without bound).
    public let maximumLineLength: Int

    public init(maximumLineLength: Int = 16 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// Feeds bytes; calls `line` for each complete line (without its terminator).
    public mutating func feed(_ bytes: some Sequence<UInt8>, line: (ArraySlice<UInt8>) throws -> Void) rethrows {
        if let contiguous = bytes as? [UInt8] {
            try contiguous.withUnsafeBufferPointer { try feedBuffer($0, line: line) }
        } else {
            let copy = Array(bytes)
            try copy.withUnsafeBufferPointer { try feedBuffer($0, line: line) }
        }
    }

    private mutating func feedBuffer(_ buffer: UnsafeBufferPointer<UInt8>, line: (ArraySlice<UInt8>) throws -> Void) rethrows {
        var start = 0
        let count = buffer.count
        if lastWasCR, count > 0 {
            lastWasCR = false
            if buffer[0] == 0x0A { start = 1 }
        }
        while case let end = Self.lineEnd(in: buffer, from: start), end < count {
            try emit(UnsafeBufferPointer(rebasing: buffer[start..<end]), line: line)
            var next = end + 1
            if buffer[end] == 0x0D {
                if next < count {
                    if buffer[next] == 0x0A { next += 1 }
                } else {
                    lastWasCR = true
                }
            }
            start = next
        }
        if start < count { append(UnsafeBufferPointer(rebasing: buffer[start..<count])) }
    }

    /// The offset of the first LF or CR at or after `start`, or `buffer.count` if there is none.
    static func lineEnd(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        let count = buffer.count
        if let base = UnsafeRawPointer(buffer.baseAddress) {
            // Eight bytes at a time: a byte of `word ^ pattern` is zero where the byte matched, and
            // (x - 0x01…) & ~x & 0x80… is non-zero exactly when some byte of x is zero.
            while index + 8 <= count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                let lf = word ^ 0x0A0A_0A0A_0A0A_0A0A
                let cr = word ^ 0x0D0D_0D0D_0D0D_0D0D
                let found = ((lf &- 0x0101_0101_0101_0101) & ~lf) | ((cr &- 0x0101_0101_0101_0101) & ~cr)
                if found & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
        }
        while index < count, buffer[index] != 0x0A, buffer[index] != 0x0D { index += 1 }
        return index
    }

    private mutating func emit(_ tail: UnsafeBufferPointer<UInt8>, line: (ArraySlice<UInt8>) throws -> Void) rethrows {
        if pending.isEmpty {
            // Reuses one buffer for every line instead of allocating an array per line.
            lineBuffer.removeAll(keepingCapacity: true)
            lineBuffer.append(contentsOf: tail)
            try line(lineBuffer[...])
        } else {
            append(tail)
            let whole = pending
            pending.removeAll(keepingCapacity: true)
            try line(whole[...])
        }
    }

    private mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let room = maximumLineLength - pending.count
        if room > 0 { pending.append(contentsOf: bytes.prefix(room)) }
    }

    /// The unterminated last line, if any, at the end of the stream.
    public mutating func finish(line: (ArraySlice<UInt8>) throws -> Void) rethrows {
        lastWasCR = false
        guard !pending.isEmpty else { return }
        let whole = pending
        pending.removeAll()
        try line(whole[...])
    }
}
