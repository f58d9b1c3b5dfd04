/// A growable run of bytes for the rendering hot path: an append is a capacity check and a copy,
/// and ``removeAll()`` keeps the storage.
///
/// Noncopyable: it owns its memory outright, so an append needs no reference count and no
/// uniqueness check. `Array<UInt8>.append(contentsOf:)` costs about 22 ns for a four-byte delta on
/// the CI machine, against about 3 ns for this copy; a streamed answer appends several times per
/// line, and the uniqueness check alone was about a tenth of what rendering added (measured with
/// `incident-bench render`).
struct ByteBuffer: ~Copyable, @unchecked Sendable {
    /// Nil until the first append.
    private var pointer: UnsafeMutablePointer<UInt8>?
    private var capacity: Int
    private(set) var count = 0

    /// An empty buffer, with storage for `capacity` bytes (none: allocated at the first append).
    init(capacity: Int = 0) {
        self.capacity = max(capacity, 0)
        pointer = capacity > 0 ? .allocate(capacity: capacity) : nil
    }

    deinit {
        pointer?.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "ByteBuffer index out of range")
        return pointer.unsafelyUnwrapped[index]
    }

    /// Room for `extra` more bytes; returns where they go, and the storage that was replaced (to be
    /// freed by the caller once it has copied what it appends: the source may lie in it).
    @inline(__always)
    private mutating func reserve(
        _ extra: Int
    ) -> (next: UnsafeMutablePointer<UInt8>, replaced: UnsafeMutablePointer<UInt8>?) {
        guard count + extra > capacity || pointer == nil else { return (pointer.unsafelyUnwrapped + count, nil) }
        let newCapacity = max(capacity * 2, count + extra, 64)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        let replaced = pointer
        if let replaced { grown.initialize(from: replaced, count: count) }
        pointer = grown
        capacity = newCapacity
        return (grown + count, replaced)
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        let (next, replaced) = reserve(bytes.count)
        next.initialize(from: base, count: bytes.count)
        replaced?.deallocate()
        count += bytes.count
    }

    mutating func append(_ byte: UInt8) {
        let (next, replaced) = reserve(1)
        next.initialize(to: byte)
        replaced?.deallocate()
        count += 1
    }

    mutating func append(repeating byte: UInt8, count extra: Int) {
        guard extra > 0 else { return }
        let (next, replaced) = reserve(extra)
        next.initialize(repeating: byte, count: extra)
        replaced?.deallocate()
        count += extra
    }

    /// Appends `bytes` `times` times.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, times: Int) {
        guard let base = bytes.baseAddress, !bytes.isEmpty, times > 0 else { return }
        let total = bytes.count * times
        let (start, replaced) = reserve(total)
        start.initialize(from: base, count: bytes.count)
        replaced?.deallocate()
        // Doubling what is already written: a rule of 80 "─" is seven copies, not eighty.
        var filled = bytes.count
        while filled < total {
            let chunk = min(filled, total - filled)
            (start + filled).initialize(from: start, count: chunk)
            filled += chunk
        }
        count += total
    }

    /// Appends bytes `range` of `other`.
    mutating func append(_ other: borrowing ByteBuffer, _ range: Range<Int>) {
        other.withUnsafeBufferPointer(range) { append($0) }
    }

    mutating func removeAll() {
        count = 0
    }

    mutating func removeLast(_ n: Int = 1) {
        precondition(n >= 0 && n <= count, "ByteBuffer has fewer bytes than removed")
        count -= n
    }

    /// The bytes, borrowed for the call.
    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: pointer, count: count))
    }

    /// Bytes `range`, borrowed for the call.
    func withUnsafeBufferPointer<Result>(
        _ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ByteBuffer range out of bounds")
        return try body(UnsafeBufferPointer(start: pointer.map { $0 + range.lowerBound }, count: range.count))
    }
}
