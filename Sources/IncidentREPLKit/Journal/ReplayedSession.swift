#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import ConversationCore
public import Safeguards

/// A session rebuilt from its journal: the conversation exactly as it was, and the settings around it.
///
/// Built by applying ``JournalEntry``s in order with ``apply(_:)``. Summaries, pins and the
/// strategy are kept as data so the ConversationCore integration can reapply them.
public struct ReplayedSession: Sendable, Equatable {
    /// The session's name (its file name without `.jsonl`).
    public var name: String
    /// The first line of the file, if it survived.
    public var start: JournalEvent.SessionStart?
    /// When the session was created (the time of its first entry).
    public var created: Date?
    /// The time of the last entry.
    public var lastActivity: Date?
    public var provider: String
    public var model: String
    /// The current role name; nil for a prompt given with `--system`.
    public var role: String?
    public var strategy: String
    /// The current conversation, messages with their status; the system prompt is in it.
    public var conversation: Conversation
    /// Conversations closed by `/new`, oldest first.
    public var earlierConversations: [Conversation] = []
    /// Pinned case facts of the current conversation, in pin order.
    public var pins: [String] = []
    /// Summaries of the current conversation, oldest first.
    public var summaries: [JournalEvent.Summary] = []
    /// The token estimator as last journaled, if any.
    public var estimator: TokenEstimator?
    /// The secret redactor of the current conversation as last journaled, if any: its placeholders
    /// keep their numbers after a resume.
    public var redactor: SecretRedactor?
    /// The endpoint the session last used; nil for journals that predate recording it.
    public var baseURL: String?
    /// The redaction mode the session last used; nil for journals that predate recording it.
    public var redaction: String?
    /// The secret the session's fence nonces derive from; nil for journals that predate recording it.
    public var fenceKey: String?
    /// Truncation notices of the current conversation, oldest first.
    public var truncationNotices: [String] = []
    /// Usage and timing of each answer of the current conversation, by message id.
    public var answers: [Int: JournalEvent.Answer] = [:]
    /// Text of an answer that was streaming when the journal ended (the process was killed);
    /// ``finishReplay()`` turns it into an interrupted answer.
    public var pendingAnswer: String?
    /// Evidence files attached to questions of the current conversation, with the message each
    /// went with, in order.
    public var evidence: [AttachedEvidence] = []
    /// Evidence journaled for a question whose `.user` line has not been read yet.
    public var pendingEvidence: [EvidenceFile] = []
    /// Every entry, in order, for reapplying events this type does not model yet.
    public var entries: [JournalEntry] = []
    /// What the reader skipped, or kept with a caveat.
    public var warnings: [JournalWarning] = []

    /// An empty session, before its first entry.
    public init(name: String) {
        self.name = name
        provider = ""
        model = ""
        strategy = ""
        conversation = Conversation(systemPrompt: "")
    }

    /// Replays a journal.
    /// - Parameters:
    ///   - name: The session's name.
    ///   - journal: What ``JournalReader/parse(_:)`` made of the file.
    public init(name: String, journal: JournalReader.Result) {
        self.init(name: name)
        warnings = journal.warnings
        for entry in journal.entries { apply(entry) }
        finishReplay()
        if start == nil {
            warnings.insert(JournalWarning(
                kind: .missingSessionStart, line: 1,
                reason: "no session line; provider, model and system prompt are unknown"
            ), at: 0)
        }
    }

    /// The question that was being answered when the session ended, if its answer never arrived.
    public var unansweredQuestion: Message? {
        guard let last = conversation.messages.last, last.role == .user else { return nil }
        return last
    }

    /// The analyst's first question in the session (across `/new`), if any.
    public var firstQuestion: String? {
        (earlierConversations + [conversation]).lazy.flatMap(\.messages).first { $0.role == .user }?.text
    }

    /// Messages in every conversation of the session.
    public var messageCount: Int {
        earlierConversations.reduce(conversation.messages.count) { $0 + $1.messages.count }
    }

    /// Applies one entry. Events must be applied in journal order.
    public mutating func apply(_ entry: JournalEntry) {
        entries.append(entry)
        if created == nil { created = entry.time }
        lastActivity = entry.time
        switch entry.event {
        case .sessionStart(let start):
            if self.start == nil { self.start = start }
            provider = start.provider
            model = start.model
            role = start.role
            strategy = start.strategy
            baseURL = start.baseURL
            redaction = start.redaction
            fenceKey = start.fenceKey
            conversation.systemPrompt = start.systemPrompt
            if let parsed = try? TruncationStrategy(parsing: start.strategy) { conversation.strategy = parsed }
        case .user(let text):
            finishReplay()
            if pendingEvidence.isEmpty {
                conversation.appendUser(text)
            } else {
                let message = conversation.appendUser(text, attachments: pendingEvidence.map(\.attachment))
                evidence += pendingEvidence.map { AttachedEvidence(messageID: message.id, file: $0) }
                pendingEvidence = []
            }
        case .evidence(let file):
            pendingEvidence.append(file)
        case .window(let window):
            conversation.restoreWindow(window)
        case .answerDelta(let text):
            pendingAnswer = (pendingAnswer ?? "") + text
        case .assistant(let answer):
            pendingAnswer = nil
            let message = conversation.appendAssistant(answer.text, status: answer.status)
            answers[message.id] = answer
        case .truncation(let notice):
            truncationNotices.append(notice)
        case .summary(let summary):
            summaries.append(summary)
            if let id = summary.coversThroughMessageID { try? conversation.recordSummary(summary.text, covering: id) }
        case .strategyChange(let name):
            strategy = name
            if let parsed = try? TruncationStrategy(parsing: name) { conversation.strategy = parsed }
        case .pin(let fact):
            pins.append(fact)
            conversation.pin(fact)
        case .unpin(let index):
            if pins.indices.contains(index) { pins.remove(at: index) }
            try? conversation.unpin(at: index)
        case .estimator(let estimator):
            self.estimator = estimator
        case .redactor(let redactor):
            self.redactor = redactor
        case .settingsChange(let baseURL, let redaction, let fenceKey):
            if let baseURL { self.baseURL = baseURL }
            if let redaction { self.redaction = redaction }
            if let fenceKey { self.fenceKey = fenceKey }
        case .systemChange(let role, let systemPrompt):
            self.role = role
            conversation.systemPrompt = systemPrompt
        case .modelChange(let provider, let model):
            // Another provider's endpoint is not this one's: a settings line that follows names
            // the new one (none for the embedded server, which is started afresh).
            if provider != self.provider { baseURL = nil }
            self.provider = provider
            self.model = model
        case .newConversation:
            finishReplay()
            earlierConversations.append(conversation)
            conversation = Conversation(systemPrompt: conversation.systemPrompt, strategy: conversation.strategy)
            pins = []
            summaries = []
            truncationNotices = []
            answers = [:]
            evidence = []
            pendingEvidence = []
            redactor = nil  // `/new` starts numbering placeholders afresh
        }
    }

    /// Turns an answer that was still streaming into an interrupted answer, as the REPL does when
    /// an answer is cut short. Called by the replaying initializer and before each new question.
    public mutating func finishReplay() {
        guard let partial = pendingAnswer else { return }
        pendingAnswer = nil
        guard !partial.isEmpty else { return }
        let message = conversation.appendAssistant(partial, status: .interrupted)
        answers[message.id] = JournalEvent.Answer(text: partial, status: .interrupted)
    }
}
