import ConversationCore
public import Safeguards

/// `/export [--redact | --no-redact] [FILE]`: a session as Markdown incident notes, meant to be shared.
///
/// Every piece of text (model answers, the analyst's questions, which may hold pasted logs, case
/// facts, provider and model names) goes through ``OutputSanitizer/sanitize(_:)``, so no escape
/// sequence or bidi control lands in the file. With a redactor, every piece is redacted first
/// (``SecretRedactor/redact(_:)``), so secrets appear as the same placeholders the provider saw; the
/// notes say in their header whether they are redacted. The file is written with ``AtomicFile``, 0600.
public enum IncidentNotes {
    /// The notes as Markdown, and how many distinct secrets were replaced.
    /// - Parameters:
    ///   - session: The replayed session (``SessionStore/load(_:)``, or the live one's replay).
    ///   - facts: Case-fact lines from ConversationCore, one per bullet; empty for none.
    ///   - redactor: Redacts every piece of text (a copy of the session's, so that placeholders keep
    ///     the numbers the provider saw); nil for notes as typed, secrets included.
    ///   - utcOffsetSeconds: The zone for timestamps; nil for the local zone.
    public static func render(
        _ session: ReplayedSession, facts: [String], redactor: SecretRedactor? = nil, utcOffsetSeconds: Int? = nil
    ) -> (markdown: String, redactedSecrets: Int) {
        var redactor = redactor
        var placeholders: Set<String> = []
        func clean(_ text: String) -> String {
            guard redactor != nil else { return OutputSanitizer.sanitize(text) }
            let redaction = redactor!.redact(text)
            for finding in redaction.findings { placeholders.insert(finding.placeholder) }
            return OutputSanitizer.sanitize(redaction.text)
        }
        let title = session.firstQuestion.map { SessionSummary.preview(clean($0), limit: 80) }
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
        let redactionLine = lines.count
        lines.append("")
        if !facts.isEmpty {
            // A journal from before `/new` made session files of its own may hold several
            // conversations; the facts are those of the last one.
            let count = session.earlierConversations.count + 1
            lines.append(count == 1 ? "## Case facts" : "## Case facts (conversation \(count) of \(count))")
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
                lines.append(EmbeddedMarkdown.contained(clean(message.text)))
                if message.role == .assistant, message.status == .interrupted {
                    lines.append("")
                    lines.append("_The answer was interrupted here._")
                }
                lines.append("")
            }
        }
        let count = placeholders.count
        lines.insert(redactor == nil
            ? "- Redaction: none (secrets appear as typed; review before sharing)"
            : "- Redaction: secrets replaced by placeholders such as [REDACTED:kind-1] "
                + "(\(count) distinct secret\(count == 1 ? "" : "s") in these notes)",
            at: redactionLine)
        return (lines.joined(separator: "\n"), count)
    }

    /// The notes as Markdown (see ``render(_:facts:redactor:utcOffsetSeconds:)``).
    public static func markdown(
        for session: ReplayedSession, facts: [String], redactor: SecretRedactor? = nil, utcOffsetSeconds: Int? = nil
    ) -> String {
        render(session, facts: facts, redactor: redactor, utcOffsetSeconds: utcOffsetSeconds).markdown
    }

    /// Writes the notes to `path` atomically (0600); an existing file is replaced whole.
    /// - Returns: How many distinct secrets were replaced by placeholders (0 without a redactor).
    /// - Throws: ``REPLError/file(path:reason:)``; no temporary file is left behind.
    @discardableResult
    public static func export(
        _ session: ReplayedSession, facts: [String], redactor: SecretRedactor? = nil, to path: String,
        utcOffsetSeconds: Int? = nil
    ) throws -> Int {
        let notes = render(session, facts: facts, redactor: redactor, utcOffsetSeconds: utcOffsetSeconds)
        try AtomicFile.write(Array(notes.markdown.utf8), to: path)
        return notes.redactedSecrets
    }

    /// The file `/export` writes when given none: `NAME.md`, in the current directory.
    public static func defaultFileName(for session: ReplayedSession) -> String {
        session.name + ".md"
    }

}
