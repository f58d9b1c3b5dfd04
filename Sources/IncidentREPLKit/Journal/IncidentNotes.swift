import ConversationCore
public import Safeguards

/// `/export [--redact | --no-redact] [--force] [FILE]`: a session as Markdown incident notes, meant
/// to be shared.
///
/// Every piece of text (model answers, the analyst's questions, which may hold pasted logs, case
/// facts, provider and model names) goes through ``OutputSanitizer/sanitize(_:)``, so no escape
/// sequence or bidi control lands in the file, and has its indicators defanged (``defanged(_:)``),
/// so none becomes a live link. With a redactor, every piece is redacted first
/// (``SecretRedactor/redact(_:)``), so secrets appear as the same placeholders the provider saw; the
/// notes say in their header whether they are redacted. The title is the session's name; a question
/// of several lines (a paste) is a fenced block; an answer cut at the token limit or interrupted
/// says so; the journal's final chain hash closes the notes. The file is written with
/// ``AtomicFile``, 0600, and never over an existing file unless asked.
public enum IncidentNotes {
    /// The notes as Markdown, and how many distinct secrets were replaced.
    /// - Parameters:
    ///   - session: The replayed session (``SessionStore/load(_:)``, or the live one's replay).
    ///   - facts: Case-fact lines from ConversationCore, one per bullet; empty for none.
    ///   - redactor: Redacts every piece of text (a copy of the session's, so that placeholders keep
    ///     the numbers the provider saw); nil for notes as typed, secrets included.
    ///   - utcOffsetSeconds: The zone for timestamps; nil for the local zone.
    ///   - journal: The journal's chain as checked when exporting (``JournalVerifier``); its final
    ///     hash ends the notes. Nil to leave it out.
    public static func render(
        _ session: ReplayedSession, facts: [String], redactor: SecretRedactor? = nil, utcOffsetSeconds: Int? = nil,
        journal: JournalVerification? = nil
    ) -> (markdown: String, redactedSecrets: Int) {
        var redactor = redactor
        var placeholders: Set<String> = []
        func clean(_ text: String) -> String {
            guard redactor != nil else { return OutputSanitizer.sanitize(defanged(text)) }
            let redaction = redactor!.redact(text)
            for finding in redaction.findings { placeholders.insert(finding.placeholder) }
            return OutputSanitizer.sanitize(defanged(redaction.text))
        }
        var lines: [String] = ["# Incident notes: \(OutputSanitizer.sanitize(session.name))", ""]
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
                // Answer records belong to the current conversation (ids restart in each one).
                let stop = message.role == .assistant && message.status == .complete && index == conversations.count - 1
                    ? session.answers[message.id]?.stop : nil
                switch (message.role, message.status) {
                case (.user, _): lines.append("### Analyst")
                case (.assistant, .complete): lines.append(stop.map { "### Assistant (\(Self.stopHeading($0)))" } ?? "### Assistant")
                case (.assistant, .interrupted): lines.append("### Assistant (interrupted)")
                }
                lines.append("")
                if message.role == .user, message.text.contains("\n") {
                    lines += fenced(clean(message.text))  // pasted text stays as it was, lines and all
                } else {
                    lines.append(EmbeddedMarkdown.contained(clean(message.text)))
                }
                if message.role == .assistant, message.status == .interrupted {
                    lines.append("")
                    lines.append("_The answer was interrupted here._")
                } else if let stop {
                    lines.append("")
                    lines.append("_\(Self.stopNote(stop))_")
                }
                lines.append("")
            }
        }
        // Every piece of evidence, with its hash, before the journal's chain hash that closes the notes.
        let evidence = EvidenceNotes.markdownSection(session.evidence)
        if !evidence.isEmpty {
            lines += evidence.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last != "" { lines.append("") }
        }
        if let journal {
            lines.append("---")
            lines.append("")
            lines.append("- Journal: session \(OutputSanitizer.sanitize(session.name)), \(journal.summary)")
            if let hash = journal.finalHash {
                lines.append("- Final chain hash: `sha256:\(hash)` (`incident-repl verify \(OutputSanitizer.sanitize(session.name))` "
                    + "prints the journal's; they match while the journal is as it was when these notes were written)")
            }
            lines.append("")
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

    /// Writes the notes to `path` atomically (0600).
    /// - Parameter replacing: Whether an existing file may be replaced (whole); without it, an
    ///   existing file is refused.
    /// - Returns: How many distinct secrets were replaced by placeholders (0 without a redactor).
    /// - Throws: ``REPLError/file(path:reason:)``; no temporary file is left behind.
    @discardableResult
    public static func export(
        _ session: ReplayedSession, facts: [String], redactor: SecretRedactor? = nil, to path: String,
        utcOffsetSeconds: Int? = nil, journal: JournalVerification? = nil, replacing: Bool = false
    ) throws -> Int {
        if !replacing, PrivateFile.exists(path) {
            throw REPLError.file(path: path, reason: "already exists; /export --force replaces it, or give another name")
        }
        let notes = render(session, facts: facts, redactor: redactor, utcOffsetSeconds: utcOffsetSeconds, journal: journal)
        try AtomicFile.write(Array(notes.markdown.utf8), to: path)
        return notes.redactedSecrets
    }

    /// The file `/export` writes when given none: `NAME.md`, in the notes folder
    /// (``destination(for:sessionName:environment:currentDirectory:)``).
    public static func defaultFileName(for session: ReplayedSession) -> String {
        session.name + ".md"
    }

    static func stopHeading(_ stop: String) -> String {
        switch stop {
        case "maxTokens": "cut at the token limit"
        case "contextWindow": "cut: the context window was full"
        case "blocked": "cut by the provider's filter"
        default: "stopped early"
        }
    }

    static func stopNote(_ stop: String) -> String {
        switch stop {
        case "maxTokens": "The answer was cut here: it reached the token limit (--max-tokens)."
        case "contextWindow": "The answer was cut here: the context window was full."
        case "blocked": "The answer was cut here by the provider's filter."
        default: "The answer stopped here before the model finished (\(OutputSanitizer.sanitize(stop)))."
        }
    }

}
