/// A growable run of bytes for the rendering hot path: an append is a capacity check and a copy,
/// and ``removeAll()`` keeps the storage. A value type (copy on write), like `Array`.
///
/// `Array<UInt8>.append(contentsOf:)` costs about 22 ns for a four-byte delta on the CI machine,
/// against about 3 ns for this copy; a streamed answer appends several times per delta.
struct ByteBuffer: @unchecked Sendable {
    private final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<UInt8>
        let capacity: Int

        init(capacity: Int) {
            self.capacity = capacity
            pointer = .allocate(capacity: capacity)
        }

        deinit {
            pointer.deallocate()
        }
    }

    private var storage: Storage
    private(set) var count = 0

    /// Storage shared by empty buffers until their first append.
    private static let none = Storage(capacity: 0)

    /// An empty buffer, with storage for `capacity` bytes (none: allocated at the first append).
    init(capacity: Int = 0) {
        storage = capacity > 0 ? Storage(capacity: capacity) : Self.none
    }

    var isEmpty: Bool { count == 0 }

    subscript(index: Int) -> UInt8 {
        precondition(index >= 0 && index < count, "ByteBuffer index out of range")
        return storage.pointer[index]
    }

    /// Room for `extra` more bytes in storage of this value's own.
    private mutating func reserve(_ extra: Int) {
        let unique = isKnownUniquelyReferenced(&storage)
        guard !unique || count + extra > storage.capacity else { return }
        let needed = count + extra
        let capacity = needed > storage.capacity ? max(storage.capacity * 2, needed, 64) : storage.capacity
        let grown = Storage(capacity: capacity)
        grown.pointer.initialize(from: storage.pointer, count: count)
        storage = grown
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (storage.pointer + count).initialize(from: base, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage.pointer[count] = byte
        count += 1
    }

    mutating func append(repeating byte: UInt8, count extra: Int) {
        guard extra > 0 else { return }
        reserve(extra)
        (storage.pointer + count).initialize(repeating: byte, count: extra)
        count += extra
    }

    /// Appends `bytes` `times` times.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>, times: Int) {
        guard let base = bytes.baseAddress, !bytes.isEmpty, times > 0 else { return }
        reserve(bytes.count * times)
        for _ in 0..<times {
            (storage.pointer + count).initialize(from: base, count: bytes.count)
            count += bytes.count
        }
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends bytes `range` of `other` (which may be this buffer's own storage).
    mutating func append(_ other: ByteBuffer, _ range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= other.count, "ByteBuffer range out of bounds")
        other.withUnsafeBufferPointer(range) { append($0) }
    }

    mutating func removeAll() {
        count = 0
    }

    mutating func removeLast(_ n: Int = 1) {
        precondition(n >= 0 && n <= count, "ByteBuffer has fewer bytes than removed")
        count -= n
    }

    /// The bytes, borrowed for the call (this value, and so its storage, lives through it).
    func withUnsafeBufferPointer<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Bytes `range`, borrowed for the call.
    func withUnsafeBufferPointer<Result>(
        _ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "ByteBuffer range out of bounds")
        return try body(UnsafeBufferPointer(start: storage.pointer + range.lowerBound, count: range.count))
    }
}
