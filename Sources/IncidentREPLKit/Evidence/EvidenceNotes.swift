import ConversationCore
import Safeguards

/// The evidence list of incident notes (`/export`): every file sent, with its hash, so a report
/// can be matched to the files it was based on.
public enum EvidenceNotes {
    /// A Markdown section listing `evidence` (``ReplayedSession/evidence``), or "" when there is none:
    ///
    ///     ## Evidence
    ///
    ///     - `auth.log` — /cases/auth.log, 12,345 bytes, SHA-256 `9f86…`, modified 2026-11-30 14:02:11 UTC,
    ///       attached 2026-11-30 14:05:00 UTC, sent with message #3 (lines 100-400 of 7,702)
    public static func markdownSection(_ evidence: [AttachedEvidence]) -> String {
        guard !evidence.isEmpty else { return "" }
        var lines = ["## Evidence", ""]
        for item in evidence {
            let file = item.file
            // File names are the analyst's disk's, not ours: shown inert like every other text in the notes.
            var line = "- \(codeSpan(OutputSanitizer.sanitize(file.name))) — \(codeSpan(OutputSanitizer.sanitize(file.path))), \(file.size.grouped) bytes, SHA-256 `\(file.sha256)`, "
                + "modified \(EvidenceFile.utc(file.modified)), attached \(EvidenceFile.utc(file.attached)), "
                + "sent with message #\(item.messageID + 1)"
            var notes: [String] = []
            if file.compressed { notes.append("gzip, hash of the compressed file") }
            if let selection = file.selection { notes.append("\(selection) of \(file.totalLines.grouped)") }
            if !notes.isEmpty { line += " (" + notes.joined(separator: "; ") + ")" }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `text` as a Markdown code span that its own backticks cannot close, on one line.
    static func codeSpan(_ text: String) -> String {
        let flat = String(text.map { $0.isNewline ? " " : $0 })
        var longest = 0
        var run = 0
        for character in flat {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: longest + 1)
        let padding = flat.hasPrefix("`") || flat.hasSuffix("`") ? " " : ""
        return fence + padding + flat + padding + fence
    }
}
