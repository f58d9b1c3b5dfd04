@testable import IncidentREPLKit
import Testing

/// The renderer's byte storage: appends, resets and growth keep exactly the bytes appended.
@Suite("Byte buffer")
struct ByteBufferTests {
    static func bytes(_ buffer: borrowing ByteBuffer) -> [UInt8] {
        buffer.withUnsafeBufferPointer { Array($0) }
    }

    static func append(_ text: String, to buffer: inout ByteBuffer) {
        var text = text
        text.withUTF8 { buffer.append($0) }
    }

    @Test func removingKeepsWhatIsLeftAndAppendsAfterIt() {
        var buffer = ByteBuffer()
        let emptyAtFirst = buffer.isEmpty
        #expect(emptyAtFirst)
        Self.append("first line", to: &buffer)
        buffer.removeLast(5)
        buffer.append(repeating: 0x2D, count: 3)
        #expect(Self.bytes(buffer) == Array("first---".utf8))
        buffer.removeAll()
        let emptyAfterRemoving = buffer.isEmpty
        #expect(emptyAfterRemoving)
        Self.append("other", to: &buffer)
        #expect(Self.bytes(buffer) == Array("other".utf8))
        var second = ByteBuffer(capacity: 4)
        second.append(buffer, 1..<4)
        #expect(Self.bytes(second) == Array("the".utf8))
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
        let count = buffer.count
        #expect(count == expected.count)
        buffer.withUnsafeBufferPointer(3..<9) { #expect(Array($0) == Array(expected[3..<9])) }
    }
}
