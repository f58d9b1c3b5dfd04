#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import ConversationCore

/// A file the analyst attached to a question, as it was read: where it was, its size, SHA-256 and
/// modification time on disk, when it was attached, which part was taken, and that part's text.
///
/// The journal keeps all of it (``JournalEvent/evidence(_:)``), the text included, so a resumed
/// session sends exactly what was sent; the hash is of the file's bytes on disk (a `.gz` as
/// compressed), so `sha256sum FILE` matches it.
public struct EvidenceFile: Sendable, Equatable, Codable {
    /// The absolute path the file was read from.
    public var path: String
    /// Its size on disk, in bytes.
    public var size: Int
    /// The SHA-256 of its bytes on disk, lower-case hexadecimal.
    public var sha256: String
    /// Its modification time on disk.
    public var modified: Date
    /// When the analyst attached it (`/file`, `--file`).
    public var attached: Date
    /// Whether it was gzip-compressed (and was decompressed to read it).
    public var compressed: Bool
    /// The part attached; nil for the whole file.
    public var selection: EvidenceSelection?
    /// How many lines the (decompressed) file has.
    public var totalLines: Int
    /// How many lines were attached.
    public var attachedLines: Int
    /// Invalid UTF-8 sequences shown as U+FFFD (a few are tolerated; more and the file is refused).
    public var replacedSequences: Int
    /// The attached text, with invisible characters made visible as in anything typed.
    public var text: String
    /// What making invisible characters visible found, for the analyst (not journaled).
    public var notice: String?

    public init(
        path: String, size: Int, sha256: String, modified: Date, attached: Date, compressed: Bool,
        selection: EvidenceSelection?, totalLines: Int, attachedLines: Int, replacedSequences: Int, text: String
    ) {
        self.path = path
        self.size = size
        self.sha256 = sha256
        self.modified = modified
        self.attached = attached
        self.compressed = compressed
        self.selection = selection
        self.totalLines = totalLines
        self.attachedLines = attachedLines
        self.replacedSequences = replacedSequences
        self.text = text
    }

    public static func == (lhs: EvidenceFile, rhs: EvidenceFile) -> Bool {
        lhs.path == rhs.path && lhs.size == rhs.size && lhs.sha256 == rhs.sha256 && lhs.modified == rhs.modified
            && lhs.attached == rhs.attached && lhs.compressed == rhs.compressed && lhs.selection == rhs.selection
            && lhs.totalLines == rhs.totalLines && lhs.attachedLines == rhs.attachedLines
            && lhs.replacedSequences == rhs.replacedSequences && lhs.text == rhs.text
    }

    /// The file's name without its directory.
    public var name: String { path.split(separator: "/").last.map(String.init) ?? path }

    /// What the message says about the file before its text: name, size, hash, modification time,
    /// and the part taken.
    public var label: String {
        var parts = [name, "\(size.grouped) bytes", "SHA-256 \(sha256)", "modified \(Self.utc(modified))"]
        if compressed { parts.append("gzip, decompressed") }
        if let selection { parts.append("\(selection) of \(totalLines.grouped)") }
        return parts.joined(separator: ", ")
    }

    /// The keys (``Indicator/key``) of the indicators in the attached text.
    public var indicatorKeys: Set<String> {
        Set(IndicatorExtractor.indicators(in: text).map(\.key))
    }

    /// The attachment carried by the question's message.
    public var attachment: Attachment { Attachment(label: label, text: text) }

    /// One line for listings and notes: `auth.log  12,345 bytes  SHA-256 …  modified …  attached …  (lines 1-40 of 900)`.
    public var summaryLine: String {
        var line = "\(path)  \(size.grouped) bytes  SHA-256 \(sha256)  modified \(Self.utc(modified))  attached \(Self.utc(attached))"
        if compressed { line += "  gzip" }
        if let selection { line += "  (\(selection) of \(totalLines.grouped))" }
        return line
    }

    /// `2026-11-30 14:02:11 UTC`.
    static func utc(_ date: Date) -> String {
        let time = LocalTime(date, utcOffsetSeconds: 0)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(time.year)-\(two(time.month))-\(two(time.day)) \(two(time.hour)):\(two(time.minute)):\(two(time.second)) UTC"
    }

    // MARK: - Codable (times as milliseconds since the epoch, as journal lines keep them)

    enum CodingKeys: String, CodingKey {
        case path, size, sha256, modifiedMs, attachedMs, gzip, selection, lines, attachedLines, replaced, text
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        path = try c.decode(String.self, forKey: .path)
        size = try c.decode(Int.self, forKey: .size)
        sha256 = try c.decode(String.self, forKey: .sha256)
        modified = Date(timeIntervalSince1970: Double(try c.decode(Int64.self, forKey: .modifiedMs)) / 1000)
        attached = Date(timeIntervalSince1970: Double(try c.decode(Int64.self, forKey: .attachedMs)) / 1000)
        compressed = try c.decodeIfPresent(Bool.self, forKey: .gzip) ?? false
        selection = try c.decodeIfPresent(EvidenceSelection.self, forKey: .selection)
        totalLines = try c.decode(Int.self, forKey: .lines)
        attachedLines = try c.decode(Int.self, forKey: .attachedLines)
        replacedSequences = try c.decodeIfPresent(Int.self, forKey: .replaced) ?? 0
        text = try c.decode(String.self, forKey: .text)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(Int64((modified.timeIntervalSince1970 * 1000).rounded()), forKey: .modifiedMs)
        try c.encode(Int64((attached.timeIntervalSince1970 * 1000).rounded()), forKey: .attachedMs)
        if compressed { try c.encode(true, forKey: .gzip) }
        try c.encodeIfPresent(selection, forKey: .selection)
        try c.encode(totalLines, forKey: .lines)
        try c.encode(attachedLines, forKey: .attachedLines)
        if replacedSequences > 0 { try c.encode(replacedSequences, forKey: .replaced) }
        try c.encode(text, forKey: .text)
    }
}
