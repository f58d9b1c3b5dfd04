#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses journal bytes into entries, skipping what cannot be used and saying why.
///
/// Every complete line is read. The reader never fails: a torn last line (no newline, not valid
/// JSON: the process or machine died mid-write) and any invalid line in the middle are skipped
/// and reported as ``JournalWarning``s. A last line that lacks only its newline is complete (every
/// line is a JSON object, and no proper prefix of an object is valid JSON) and is kept.
public enum JournalReader {
    /// The entries of a journal, in file order, and what was skipped.
    public struct Result: Sendable, Equatable {
        public var entries: [JournalEntry]
        public var warnings: [JournalWarning]
        /// Whether the bytes end with a newline (or are empty); a writer that appends to a file
        /// that does not must first end the torn line so that its own lines stay whole.
        public var endsWithNewline: Bool
    }

    /// Parses the whole journal.
    public static func parse(_ bytes: [UInt8]) -> Result {
        var entries: [JournalEntry] = []
        var warnings: [JournalWarning] = []
        let decoder = JSONDecoder()
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let newline = bytes[start...].firstIndex(of: 0x0A)
            let end = newline ?? bytes.count
            let line = bytes[start..<end]
            start = end + 1
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            do {
                let entry = try decoder.decode(JournalEntry.self, from: Data(line))
                entries.append(entry)
                if newline == nil {
                    warnings.append(JournalWarning(kind: .unterminatedLastLine, line: lineNumber, reason: ""))
                }
            } catch {
                if newline == nil {
                    warnings.append(JournalWarning(
                        kind: .tornLastLine, line: lineNumber, reason: "\(line.count) bytes without a newline"
                    ))
                } else {
                    warnings.append(JournalWarning(kind: .invalidLine, line: lineNumber, reason: describe(error)))
                }
            }
        }
        return Result(entries: entries, warnings: warnings, endsWithNewline: bytes.last.map { $0 == 0x0A } ?? true)
    }

    /// A one-line reason, without the decoder's coding-path noise.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription.contains("unknown event type")
                ? context.debugDescription : "not valid JSON"
        case DecodingError.keyNotFound(let key, _):
            return "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type for '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default:
            return "not a journal entry"
        }
    }
}
