#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Safeguards

/// One row of `/sessions`: when, what it started with, how big.
public struct SessionSummary: Sendable, Equatable {
    public var name: String
    public var path: String
    /// The time of the first entry; nil if the file holds none.
    public var created: Date?
    /// The time of the last entry.
    public var lastActivity: Date?
    /// The first question, on one line, sanitized, cut to ``previewLength`` characters.
    public var firstQuestion: String?
    /// Messages in the session (every conversation, interrupted answers included).
    public var messageCount: Int
    /// The journal's size on disk.
    public var byteCount: Int
    /// Lines the reader skipped or kept with a caveat.
    public var warningCount: Int

    /// How many characters of the first question a listing shows.
    public static let previewLength = 60

    public init(session: ReplayedSession, path: String, byteCount: Int) {
        name = session.name
        self.path = path
        created = session.created
        lastActivity = session.lastActivity
        firstQuestion = session.firstQuestion.map { Self.preview($0) }
        messageCount = session.messageCount
        self.byteCount = byteCount
        warningCount = session.warnings.count
    }

    /// `text` on one line (runs of whitespace become one space), sanitized, cut to `limit`
    /// characters with a trailing `…` when it was longer.
    public static func preview(_ text: String, limit: Int = previewLength) -> String {
        let words = text.split(whereSeparator: { $0.isWhitespace })
        let line = OutputSanitizer.sanitize(words.joined(separator: " "))
        guard line.count > limit else { return line }
        return String(line.prefix(max(limit - 1, 0))) + "…"
    }

    /// The line `/sessions` prints: `2026-11-24 23:01  name  12 messages, 4 KB  first question`.
    public func displayLine(utcOffsetSeconds: Int? = nil) -> String {
        let date = created.map { String(LocalTime($0, utcOffsetSeconds: utcOffsetSeconds).displayString.prefix(16)) }
            ?? "????-??-?? ??:??"
        let size = byteCount < 1024 ? "\(byteCount) B" : "\((byteCount + 512) / 1024) KB"
        let messages = messageCount == 1 ? "1 message" : "\(messageCount) messages"
        return "\(date)  \(OutputSanitizer.sanitize(name))  \(messages), \(size)  \(firstQuestion ?? "(no question yet)")"
    }
}
