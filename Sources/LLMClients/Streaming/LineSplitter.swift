/// Splits a byte stream into lines, whatever the chunk boundaries: LF, CRLF and lone CR end a line
/// (as in the SSE specification). Used directly for NDJSON and underneath the SSE parser.
public struct LineSplitter: Sendable {
    private var pending: [UInt8] = []
    private var lastWasCR = false
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
        var index = 0
        let count = buffer.count
        if lastWasCR, count > 0 {
            lastWasCR = false
            if buffer[0] == 0x0A { start = 1; index = 1 }
        }
        while index < count {
            let byte = buffer[index]
            if byte == 0x0A || byte == 0x0D {
                try emit(UnsafeBufferPointer(rebasing: buffer[start..<index]), line: line)
                if byte == 0x0D {
                    if index + 1 < count {
                        if buffer[index + 1] == 0x0A { index += 1 }
                    } else {
                        lastWasCR = true
                    }
                }
                index += 1
                start = index
            } else {
                index += 1
            }
        }
        if start < count { append(UnsafeBufferPointer(rebasing: buffer[start..<count])) }
    }

    private mutating func emit(_ tail: UnsafeBufferPointer<UInt8>, line: (ArraySlice<UInt8>) throws -> Void) rethrows {
        if pending.isEmpty {
            try line(ArraySlice(tail))
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
