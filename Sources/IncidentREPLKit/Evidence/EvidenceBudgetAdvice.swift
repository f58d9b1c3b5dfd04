import ConversationCore

/// What to say when evidence does not fit the context window: how many tokens it needs, how many
/// are free, and what would fit instead (a line range, the last lines, matching lines, a bigger
/// window). Nothing is ever sent half.
struct EvidenceBudgetAdvice {
    var files: [EvidenceFile]
    /// Estimated tokens of the evidence (all files, with their header lines).
    var needed: Int
    /// Tokens free for evidence next to the system prompt, pins and the question.
    var free: Int
    var contextWindow: Int
    var reservedForAnswer: Int
    /// Estimated tokens of each file's attached text, in `files` order.
    var fileTokens: [Int]

    /// The message for the analyst.
    var message: String {
        let what = files.count == 1 ? files[0].name : "\(files.count) files (\(files.map(\.name).joined(separator: ", ")))"
        var lines = [
            "\(what) does not fit: it needs about \(needed.grouped) tokens and \(free.grouped) are free "
                + "(context window \(contextWindow.grouped) tokens, \(reservedForAnswer.grouped) kept for the answer); "
                + "nothing was attached or sent."
        ]
        guard let largest = fileTokens.indices.max(by: { fileTokens[$0] < fileTokens[$1] }) else {
            return lines.joined(separator: "\n")
        }
        let file = files[largest]
        // Room for this file once the others are in, and its cost per line.
        let room = free - (needed - fileTokens[largest])
        let perLine = max(1.0, Double(fileTokens[largest]) / Double(max(1, file.attachedLines)))
        let fitting = room > 0 ? Int(Double(room) * 0.9 / perLine) : 0
        let path = Self.quoted(file.path)
        lines.append("Try:")
        if fitting >= 1 {
            var first = 1
            if case .lines(let start, _)? = file.selection { first = start }
            lines.append("  /file \(path):\(first)-\(first + fitting - 1)   (\(fitting.grouped) of its \(file.attachedLines.grouped) lines, about \(Int(Double(fitting) * perLine).grouped) tokens)")
            lines.append("  /file --tail \(fitting) \(path)   (the last \(fitting.grouped) lines)")
        } else {
            lines.append("  /file \(path):FIRST-LAST   (a line range; the question and other files leave no room now)")
        }
        lines.append("  /file --grep PATTERN \(path)   (only the lines that match: an address, a user, an error)")
        let window = Self.roundedUp(contextWindow + (needed - free) + needed / 10)
        if window <= Self.largestWindow {
            lines.append("  or a bigger window: restart with --context-window \(window) or more, with a model that has one")
        } else {
            lines.append("  (no model's window holds all of it: about \(window.grouped) tokens would be needed)")
        }
        return lines.joined(separator: "\n")
    }

    /// The largest context window worth suggesting (about the largest models offer).
    static let largestWindow = 2_097_152

    /// A window size rounded up to a multiple of 1,024.
    static func roundedUp(_ tokens: Int) -> Int { (tokens + 1023) / 1024 * 1024 }

    /// A path as it can be typed back on a `/file` line.
    static func quoted(_ path: String) -> String {
        guard path.contains(where: { $0 == " " || $0 == "\t" || $0 == "'" || $0 == "\"" || $0 == "\\" }) else { return path }
        return "'" + path.replacing("'", with: "'\\''") + "'"
    }
}
