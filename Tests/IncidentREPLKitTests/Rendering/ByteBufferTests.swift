@testable import IncidentREPLKit
import Testing

/// The renderer's byte storage: a value type, whatever its appends and resets do to the storage.
@Suite("Byte buffer")
struct ByteBufferTests {
    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        buffer.withUnsafeBufferPointer { Array($0) }
    }

    static func append(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }

    @Test func aCopyKeepsItsBytesWhenTheOriginalChanges() {
        var original = ByteBuffer()
        Self.append("first line", to: &original)
        let copy = original
        Self.append(" and more", to: &original)
        original.removeAll()
        Self.append("other", to: &original)
        #expect(Self.bytes(copy) == Array("first line".utf8))
        #expect(Self.bytes(original) == Array("other".utf8))

        var second = copy
        second.removeLast(5)
        second.append(repeating: 0x2D, count: 3)
        #expect(Self.bytes(second) == Array("first---".utf8))
        #expect(Self.bytes(copy) == Array("first line".utf8))
    }

    @Test func growingKeepsEveryByteInOrder() {
        var buffer = ByteBuffer(capacity: 16)
        var expected: [UInt8] = []
        for index in 0..<5_000 {
            let piece = Array("\(index),".utf8)
            piece.withUnsafeBufferPointer { buffer.append($0) }
            expected += piece
            if index % 7 == 0 {
                buffer.append(0x0A)
                expected.append(0x0A)
            }
        }
        let star: StaticString = "*"
        buffer.append(UnsafeBufferPointer(start: star.utf8Start, count: 1), times: 4)
        expected += Array("****".utf8)
        #expect(Self.bytes(buffer) == expected)
        #expect(buffer.count == expected.count)
        buffer.withUnsafeBufferPointer(3..<9) { #expect(Array($0) == Array(expected[3..<9])) }
    }
}
