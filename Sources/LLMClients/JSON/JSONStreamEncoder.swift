#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `Encoder` that ``JSONBodyEncoder`` hands to `encode(to:)`: one JSON value slot at a depth of
/// the document, written straight to a ``JSONStreamWriter``.
///
/// Coding paths are only for error messages, so a slot keeps its parent's path and its own key and
/// builds the full path when it is asked for (once per container, not once per member).
struct JSONStreamEncoder: Encoder {
    let writer: JSONStreamWriter
    /// How many containers enclose this slot.
    let depth: Int
    /// The sink offset where this slot's value begins.
    let start: Int
    let parentPath: [any CodingKey]
    let key: (any CodingKey)?

    var codingPath: [any CodingKey] { key.map { parentPath + [$0] } ?? parentPath }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let frame = writer.openContainer(isObject: true, depth: depth, slotStart: start)
        return KeyedEncodingContainer(JSONStreamKeyedContainer<Key>(
            writer: writer, depth: depth, start: frame, codingPath: codingPath
        ))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let frame = writer.openContainer(isObject: false, depth: depth, slotStart: start)
        return JSONStreamUnkeyedContainer(writer: writer, depth: depth, start: frame, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONStreamSingleValueContainer(encoder: self)
    }

    /// Encodes `value` into the slot at `depth` that begins now. Strings, numbers and booleans are
    /// written directly; other values through their `encode(to:)`, and as `{}` if that writes nothing.
    static func encode<T: Encodable>(
        _ value: T, into writer: JSONStreamWriter, depth: Int, parentPath: [any CodingKey], key: (any CodingKey)?
    ) throws {
        // Exact type checks (cheap metadata comparisons), not casts.
        if T.self == String.self {
            writer.writeString(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            writer.writeInteger(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            writer.writeBool(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            try writer.writeFloat(unsafeBitCast(value, to: Double.self), codingPath: key.map { parentPath + [$0] } ?? parentPath)
        } else if T.self == Data.self || T.self == Date.self || T.self == URL.self || T.self == Decimal.self {
            // JSONEncoder gives these special forms (base64, seconds, absolute strings); bodies hold none.
            throw EncodingError.invalidValue(value, .init(
                codingPath: key.map { parentPath + [$0] } ?? parentPath,
                debugDescription: "\(T.self) is not supported by the request body encoder"
            ))
        } else {
            let start = writer.sink.count
            try value.encode(to: JSONStreamEncoder(writer: writer, depth: depth, start: start, parentPath: parentPath, key: key))
            if writer.sink.count == start { writer.sink.append(contentsOf: "{}") }
            writer.settle(above: depth - 1)
        }
    }
}

/// An object being written; members go out in the order they are encoded.
struct JSONStreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONStreamWriter
    let depth: Int
    let start: Int
    let codingPath: [any CodingKey]

    private func begin(_ key: Key) throws {
        try writer.beginMember(depth: depth, start: start, key: key.stringValue, codingPath: codingPath + [key])
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); writer.writeNull() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); writer.writeBool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); writer.writeString(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try begin(key)
        try writer.writeFloat(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        try begin(key)
        try writer.writeFloat(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try JSONStreamEncoder.encode(value, into: writer, depth: depth + 1, parentPath: codingPath, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        nestedEncoder(forKey: key).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        nestedEncoder(forKey: key).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        deferredEncoder(forKey: JSONStreamKey.super)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        deferredEncoder(forKey: key)
    }

    /// An encoder for a member whose container is opened at once.
    private func nestedEncoder(forKey key: some CodingKey) -> JSONStreamEncoder {
        do {
            try writer.beginMember(depth: depth, start: start, key: key.stringValue, codingPath: codingPath + [key])
        } catch {
            preconditionFailure("\(error)")
        }
        return JSONStreamEncoder(writer: writer, depth: depth + 1, start: writer.sink.count, parentPath: codingPath, key: key)
    }

    /// An encoder for a member that may be filled later, or never (then it is `{}`).
    private func deferredEncoder(forKey key: some CodingKey) -> any Encoder {
        let encoder = nestedEncoder(forKey: key)
        writer.deferSlot(depth: depth + 1)
        return encoder
    }
}

/// An array being written.
struct JSONStreamUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONStreamWriter
    let depth: Int
    let start: Int
    let codingPath: [any CodingKey]

    var count: Int { writer.memberCount(depth: depth, start: start) }

    /// Starts the next element; returns its key (its index).
    private func begin() throws -> JSONStreamKey {
        let key = JSONStreamKey.index(count)
        try writer.beginMember(depth: depth, start: start, key: nil, codingPath: codingPath + [key])
        return key
    }

    mutating func encodeNil() throws { _ = try begin(); writer.writeNull() }
    mutating func encode(_ value: Bool) throws { _ = try begin(); writer.writeBool(value) }
    mutating func encode(_ value: String) throws { _ = try begin(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws {
        let key = try begin()
        try writer.writeFloat(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Float) throws {
        let key = try begin()
        try writer.writeFloat(value, codingPath: codingPath + [key])
    }
    mutating func encode(_ value: Int) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { _ = try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { _ = try begin(); writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let key = try begin()
        try JSONStreamEncoder.encode(value, into: writer, depth: depth + 1, parentPath: codingPath, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        nestedEncoder().container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        nestedEncoder().unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = nestedEncoder()
        writer.deferSlot(depth: depth + 1)
        return encoder
    }

    private func nestedEncoder() -> JSONStreamEncoder {
        let key: JSONStreamKey
        do {
            key = try begin()
        } catch {
            preconditionFailure("\(error)")
        }
        return JSONStreamEncoder(writer: writer, depth: depth + 1, start: writer.sink.count, parentPath: codingPath, key: key)
    }
}

/// The one value of a slot.
struct JSONStreamSingleValueContainer: SingleValueEncodingContainer {
    let encoder: JSONStreamEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }
    private var writer: JSONStreamWriter { encoder.writer }

    init(encoder: JSONStreamEncoder) {
        self.encoder = encoder
    }

    private func begin() throws {
        guard writer.sink.count == encoder.start else {
            throw EncodingError.invalidValue((), .init(
                codingPath: codingPath, debugDescription: "A value was already encoded through this single value container"
            ))
        }
        writer.claimSlot(depth: encoder.depth, start: encoder.start)
    }

    mutating func encodeNil() throws { try begin(); writer.writeNull() }
    mutating func encode(_ value: Bool) throws { try begin(); writer.writeBool(value) }
    mutating func encode(_ value: String) throws { try begin(); writer.writeString(value) }
    mutating func encode(_ value: Double) throws { try begin(); try writer.writeFloat(value, codingPath: codingPath) }
    mutating func encode(_ value: Float) throws { try begin(); try writer.writeFloat(value, codingPath: codingPath) }
    mutating func encode(_ value: Int) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int8) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int16) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int32) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: Int64) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try begin(); writer.writeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try begin(); writer.writeInteger(value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try JSONStreamEncoder.encode(value, into: writer, depth: encoder.depth, parentPath: encoder.parentPath, key: encoder.key)
    }
}

/// An array index, or `super`, as a coding key (for coding paths); one word, so it needs no box.
enum JSONStreamKey: CodingKey {
    case index(Int)
    case `super`

    var stringValue: String {
        switch self {
        case .index(let index): "Index \(index)"
        case .super: "super"
        }
    }

    var intValue: Int? {
        if case .index(let index) = self { index } else { nil }
    }

    init?(stringValue: String) {
        guard stringValue == "super" else { return nil }
        self = .super
    }

    init?(intValue: Int) {
        self = .index(intValue)
    }
}
