import ConversationCore
import Safeguards

/// `/export [FILE]`: a session as Markdown incident notes.
///
/// Every piece of text (model answers, the analyst's questions, which may hold pasted logs, case
/// facts, provider and model names) goes through ``OutputSanitizer/sanitize(_:)``, so no escape
/// sequence or bidi control lands in the file. The file is written with ``AtomicFile``, 0600.
public enum IncidentNotes {
    /// The notes as Markdown.
    /// - Parameters:
    ///   - session: The replayed session (``SessionStore/load(_:)``, or the live one's replay).
    ///   - facts: Case-fact lines from ConversationCore, one per bullet; empty for none.
    ///   - utcOffsetSeconds: The zone for timestamps; nil for the local zone.
    public static func markdown(for session: ReplayedSession, facts: [String], utcOffsetSeconds: Int? = nil) -> String {
        let title = session.firstQuestion.map { SessionSummary.preview($0, limit: 80) }
            ?? OutputSanitizer.sanitize(session.name)
        var lines: [String] = ["# Incident notes: \(title)", ""]
        lines.append("- Session: \(clean(session.name))")
        lines.append("- Provider: \(clean(session.provider.isEmpty ? "unknown" : session.provider))")
        lines.append("- Model: \(clean(session.model.isEmpty ? "unknown" : session.model))")
        if let role = session.role { lines.append("- Role: \(clean(role))") }
        if let created = session.created {
            lines.append("- Started: \(LocalTime(created, utcOffsetSeconds: utcOffsetSeconds).displayString)")
        }
        if let last = session.lastActivity {
            lines.append("- Last activity: \(LocalTime(last, utcOffsetSeconds: utcOffsetSeconds).displayString)")
        }
        lines.append("")
        if !facts.isEmpty {
            lines.append("## Case facts")
            lines.append("")
            for fact in facts { lines.append("- \(clean(fact))") }
            lines.append("")
        }
        let conversations = session.earlierConversations + [session.conversation]
        for (index, conversation) in conversations.enumerated() {
            lines.append(conversations.count == 1 ? "## Conversation" : "## Conversation \(index + 1) of \(conversations.count)")
            lines.append("")
            if conversation.messages.isEmpty {
                lines.append("_No messages._")
                lines.append("")
            }
            for message in conversation.messages {
                switch (message.role, message.status) {
                case (.user, _): lines.append("### Analyst")
                case (.assistant, .complete): lines.append("### Assistant")
                case (.assistant, .interrupted): lines.append("### Assistant (interrupted)")
                }
                lines.append("")
                lines.append(clean(message.text))
                if message.role == .assistant, message.status == .interrupted {
                    lines.append("")
                    lines.append("_The answer was interrupted here._")
                }
                lines.append("")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// Writes the notes to `path` atomically (0600); an existing file is replaced whole.
    /// - Throws: ``REPLError/file(path:reason:)``; no temporary file is left behind.
    public static func export(
        _ session: ReplayedSession, facts: [String], to path: String, utcOffsetSeconds: Int? = nil
    ) throws {
        try AtomicFile.write(Array(markdown(for: session, facts: facts, utcOffsetSeconds: utcOffsetSeconds).utf8), to: path)
    }

    /// The file `/export` writes when given none: `NAME.md`, in the current directory.
    public static func defaultFileName(for session: ReplayedSession) -> String {
        session.name + ".md"
    }

    private static func clean(_ text: String) -> String {
        OutputSanitizer.sanitize(text)
    }
}
