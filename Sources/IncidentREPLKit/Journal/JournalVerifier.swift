#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What checking a journal's hash chain found (``JournalVerifier/verify(_:)``).
public struct JournalVerification: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Every line links to the one before it.
        case intact
        /// The journal has no chain: written before journals were chained. Not an error.
        case unchained
        /// The first line that breaks the chain (1-based, as in the file) and what is wrong.
        case broken(line: Int, reason: String)
    }

    public var status: Status
    /// Lines that carry a link (the whole file for an intact journal, torn lines aside).
    public var chainedLines: Int
    /// The hash of the last chained line: what `/export` writes into the notes. Nil when unchained.
    public var finalHash: String?
    /// Where a writer continues the chain (after the last whole chained line); nil when unchained.
    public var continuation: JournalChain?
    /// Lines outside the chain that are no break: writes cut short by a crash.
    public var notes: [String]

    public var isBroken: Bool {
        if case .broken = status { return true }
        return false
    }

    /// One line for the analyst: `hash chain intact (57 lines)`, `hash chain broken at line 5: …`.
    public var summary: String {
        switch status {
        case .intact: "hash chain intact (\(chainedLines) line\(chainedLines == 1 ? "" : "s"))"
        case .unchained: "no hash chain (journal written before journals were chained); it cannot be verified"
        case .broken(let line, let reason): "hash chain broken at line \(line): \(reason)"
        }
    }
}

/// Checks a journal's hash chain (``JournalChain``) and names the first line that breaks it.
///
/// An edited line is named as the line that changed (the next line recorded another hash for it),
/// a removed line as the place where lines are missing, a moved line as the line that is out of
/// order. What the chain cannot see from the file alone: an edit of the last line, or lines cut
/// from the end; the final hash (``JournalVerification/finalHash``) then differs from the one in
/// exported notes.
public enum JournalVerifier {
    /// Verifies journal bytes. Reads everything once; hashes every line once.
    public static func verify(_ bytes: [UInt8]) -> JournalVerification {
        struct Link {
            var line: Int
            var index: Int
            var hash: String
            var range: Range<Int>
        }
        // Every non-blank line, with its link if it has one.
        var lines: [(number: Int, range: Range<Int>, fields: (index: Int, previous: String)?)] = []
        var start = 0
        var number = 0
        while start < bytes.count {
            number += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let range = start..<end
            start = end + 1
            if bytes[range].allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            lines.append((number, range, JournalChain.fields(of: bytes[range])))
        }
        var notes: [String] = []
        // An unchained journal: its first whole line has no link.
        guard let first = lines.first(where: { $0.fields != nil || isJSONObject(bytes[$0.range]) }), first.fields != nil else {
            return JournalVerification(status: .unchained, chainedLines: 0, finalHash: nil, continuation: nil, notes: [])
        }
        // Where each chain index occurs, to tell a moved line from a missing one.
        var occurrences: [Int: [Int]] = [:]
        for line in lines { if let fields = line.fields { occurrences[fields.index, default: []].append(line.number) } }

        var stack: [Link] = []
        var status = JournalVerification.Status.intact
        func breakAt(_ line: Int, _ reason: String) {
            if case .intact = status { status = .broken(line: line, reason: reason) }
        }
        /// Drops torn lines from the top of the chain: they are outside it.
        func dropTornTop() -> Bool {
            guard let top = stack.last, !isJSONObject(bytes[top.range]) else { return false }
            stack.removeLast()
            notes.append("line \(top.line): a write cut short (not a whole line), outside the chain")
            return true
        }
        for line in lines {
            guard let fields = line.fields else {
                if isJSONObject(bytes[line.range]) {
                    breakAt(line.number, "the line has no chain link (added or rewritten after it was written)")
                } else {
                    notes.append("line \(line.number): a write cut short (not a whole line), outside the chain")
                }
                continue
            }
            let link = Link(line: line.number, index: fields.index, hash: JournalChain.hash(bytes[line.range]),
                            range: line.range)
            guard case .intact = status else {
                stack.append(link)
                continue
            }
            var isTorn = false
            while true {
                guard let top = stack.last else {
                    if fields.index != 1 {
                        let missing = fields.index - 1
                        breakAt(line.number, "the first \(missing == 1 ? "line is" : "\(missing) lines are") missing "
                            + "(this line was written as line \(fields.index))")
                    }
                    break
                }
                let expected = top.index + 1
                if fields.index == expected, fields.previous == top.hash { break }
                if !isJSONObject(bytes[line.range]) {
                    isTorn = true  // a write cut short: outside the chain, no break
                    break
                }
                if dropTornTop() { continue }
                if fields.index == expected {
                    breakAt(top.line, "the line was changed after it was written "
                        + "(line \(line.number), written after it, recorded a different hash for it)")
                } else if fields.index > expected {
                    if let later = occurrences[expected]?.first(where: { $0 > line.number }) {
                        breakAt(line.number, "the line is out of order: it was written as line \(fields.index), "
                            + "and line \(expected) of the journal comes later, at line \(later)")
                    } else {
                        let missing = fields.index - expected
                        breakAt(line.number, "\(missing == 1 ? "a line is" : "\(missing) lines are") missing before "
                            + "this one (line \(top.line) is followed by what was written as line \(fields.index))")
                    }
                } else {
                    breakAt(line.number, "the line is out of order: it was written as line \(fields.index), "
                        + "but comes after line \(top.line), written as line \(top.index)")
                }
                break
            }
            if isTorn {
                notes.append("line \(line.number): a write cut short (not a whole line), outside the chain")
            } else {
                stack.append(link)
            }
        }
        while dropTornTop() {}
        let last = stack.last
        return JournalVerification(
            status: status, chainedLines: stack.count, finalHash: last?.hash,
            continuation: last.map { JournalChain(head: $0.hash, nextIndex: $0.index + 1) }, notes: notes
        )
    }

    /// Whether the bytes are one whole JSON object.
    static func isJSONObject(_ bytes: ArraySlice<UInt8>) -> Bool {
        (try? JSONDecoder().decode(ObjectProbe.self, from: Data(bytes))) != nil
    }

    private struct ObjectProbe: Decodable {
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        init(from decoder: any Decoder) throws {
            _ = try decoder.container(keyedBy: AnyKey.self)
        }
    }
}
