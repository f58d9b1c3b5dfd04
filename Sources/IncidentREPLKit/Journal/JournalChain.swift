#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Safeguards

/// The hash chain that makes a journal tamper-evident.
///
/// Every line starts with two fields the writer puts before the entry's own:
/// `{"n":7,"prev":"<64 hex>",…}`. `n` is the line's place in the chain (1 for the session line)
/// and `prev` is the SHA-256 of the previous chained line's bytes (without its newline); the
/// first line's `prev` is a random start value drawn when the session is created. Changing,
/// removing or moving a line therefore breaks the link of the line after it
/// (``JournalVerifier``). The hash of the last line, ``head``, is the journal's *final chain
/// hash*: `/export` writes it into the notes, so a report can be matched to its journal (and an
/// edit of the very last line, which no later line covers, shows there).
///
/// Lines that are not JSON (a write cut short by a crash, ended by a later resume) are outside
/// the chain: the next line links to the last whole one.
public struct JournalChain: Sendable, Equatable {
    /// The value the next line records as `prev`: the hash of the last chained line, or the random
    /// start before the first.
    public private(set) var head: String
    /// The `n` of the next line.
    public private(set) var nextIndex: Int

    /// A chain continuing after line `nextIndex - 1`, whose hash is `head`.
    public init(head: String, nextIndex: Int) {
        self.head = head
        self.nextIndex = nextIndex
    }

    /// A new chain from a random start value (256 bits from the system's generator).
    public static func start() -> JournalChain {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for _ in 0..<4 {
            let word = generator.next() as UInt64
            for shift in stride(from: 60, through: 0, by: -4) { hex.append(digits[Int((word >> UInt64(shift)) & 0xF)]) }
        }
        return JournalChain(head: String(decoding: hex, as: UTF8.self), nextIndex: 1)
    }

    /// `line` (one encoded entry, `{…}` and its newline) with this chain's fields spliced in front,
    /// and the chain as it is once that line is written. The chain itself is unchanged, so a write
    /// that fails does not advance it.
    public func linking(_ line: [UInt8]) -> (line: [UInt8], next: JournalChain) {
        precondition(line.first == UInt8(ascii: "{"), "a journal line is a JSON object")
        let fields = Array("{\"n\":\(nextIndex),\"prev\":\"\(head)\"".utf8)
        var linked = fields
        linked.reserveCapacity(fields.count + line.count)
        // `{}` (no fields) cannot happen for an entry, but keep the JSON valid if it did.
        if line.count > 2, line[1] != UInt8(ascii: "}") { linked.append(UInt8(ascii: ",")) }
        linked.append(contentsOf: line.dropFirst())
        let body = linked.last == 0x0A ? linked.dropLast() : linked[...]
        return (linked, JournalChain(head: Self.hash(body), nextIndex: nextIndex + 1))
    }

    /// The chain hash of one line: SHA-256 of its bytes (without the newline), lower-case hex.
    public static func hash(_ line: some Collection<UInt8>) -> String {
        SHA256.hexDigest(line)
    }

    /// The `n` and `prev` a line starts with, if it starts the way the writer writes them.
    static func fields(of line: ArraySlice<UInt8>) -> (index: Int, previous: String)? {
        let prefix = Array("{\"n\":".utf8)
        guard line.count > prefix.count + 80, line.starts(with: prefix) else { return nil }
        var cursor = line.startIndex + prefix.count
        var index = 0
        var digits = 0
        while cursor < line.endIndex, line[cursor] >= 0x30, line[cursor] <= 0x39, digits < 18 {
            index = index * 10 + Int(line[cursor] - 0x30)
            cursor += 1
            digits += 1
        }
        let middle = Array(",\"prev\":\"".utf8)
        guard digits > 0, line[cursor...].starts(with: middle) else { return nil }
        cursor += middle.count
        guard cursor + 65 <= line.endIndex else { return nil }
        let hex = line[cursor..<(cursor + 64)]
        guard line[cursor + 64] == UInt8(ascii: "\""),
            hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { return nil }
        return (index, String(decoding: hex, as: UTF8.self))
    }
}
