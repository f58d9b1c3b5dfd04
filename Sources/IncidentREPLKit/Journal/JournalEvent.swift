public import ConversationCore
public import Safeguards

/// One thing that happened in a session, as the journal records it (one JSON line per event).
///
/// The journal is the conversation's history on disk: replaying the events in order
/// (``ReplayedSession/apply(_:)``) rebuilds the conversation exactly. Adding a feature to the
/// conversation means adding a case here and a branch in `apply`; the reader skips (and reports)
/// lines whose `type` it does not know, so an older build can still open a newer journal.
public enum JournalEvent: Sendable, Equatable {
    /// The first line of every session file: who answered, with what instructions.
    case sessionStart(SessionStart)
    /// What the analyst typed, journaled before the request is sent.
    case user(String)
    /// A piece of an answer still streaming; written without fsync (a killed process loses nothing
    /// that `write` returned, only an OS crash could). Superseded by the next `.assistant`.
    case answerDelta(String)
    /// A finished (or interrupted) answer with its usage and timing.
    case assistant(Answer)
    /// The view dropped or shortened older messages to fit the window; the notice shown to the analyst.
    case truncation(String)
    /// A summary that stands in for older messages in the view.
    case summary(Summary)
    /// The truncation strategy changed (`drop-oldest`, `last-n`, `summarize`, …).
    case strategyChange(String)
    /// A case fact was pinned so every view keeps it.
    case pin(String)
    /// The pin at this index (in pin order) was removed.
    case unpin(index: Int)
    /// The role or the system prompt changed; `role` is nil for a prompt given with `--system`.
    case systemChange(role: String?, systemPrompt: String)
    /// The provider or the model changed.
    case modelChange(provider: String, model: String)
    /// A fresh conversation started in the same session file, as `/new` did in earlier versions
    /// (today `/new` starts a new session file); still read so those journals replay.
    case newConversation
    /// The token estimator after it learned from the provider's counts, so a resumed session
    /// counts (and truncates) exactly as before.
    case estimator(TokenEstimator)
    /// The secret redactor after it gave placeholders to new secrets (it holds digests, never the
    /// secrets), so a resumed session keeps every placeholder's number.
    case redactor(SecretRedactor)
    /// Where the session's requests go or how they are redacted changed (`/redact`, or a resume the
    /// analyst confirmed with other flags), or a journal that predates them gained a fence key; nil
    /// fields are unchanged.
    case settingsChange(baseURL: String?, redaction: String?, fenceKey: String? = nil)
    /// An evidence file attached to the question whose `.user` line follows (one line per file):
    /// path, size, SHA-256, modification and attachment times, and the attached text itself, so
    /// the session replays exactly.
    case evidence(EvidenceFile)
    /// Where the view was cut and the case-facts block it froze, journaled at each truncation
    /// event, so a resumed session sends the same prefix as before and the provider's prompt
    /// cache (or the local server's slot) still matches on the first turn after `--resume`.
    case window(ViewWindow)

    /// What a session starts with.
    public struct SessionStart: Sendable, Equatable, Codable {
        public var provider: String
        public var model: String
        /// The role name (`triage`, …), or nil for a prompt given with `--system`.
        public var role: String?
        public var systemPrompt: String
        public var strategy: String
        /// The endpoint the session talked to (`--base-url`, the configuration's, or the provider's
        /// default); nil in journals written before it was recorded.
        public var baseURL: String?
        /// The redaction mode chosen (`automatic`, `on`, `off`); nil in journals written before it
        /// was recorded.
        public var redaction: String?
        /// The secret the untrusted-data fence nonces are derived from, so a resumed session sends
        /// byte-identical fences; nil in journals written before it was recorded.
        public var fenceKey: String?

        public init(
            provider: String, model: String, role: String?, systemPrompt: String, strategy: String,
            baseURL: String? = nil, redaction: String? = nil, fenceKey: String? = nil
        ) {
            self.provider = provider
            self.model = model
            self.role = role
            self.systemPrompt = systemPrompt
            self.strategy = strategy
            self.baseURL = baseURL
            self.redaction = redaction
            self.fenceKey = fenceKey
        }
    }

    /// An answer as it ended, with what it cost.
    public struct Answer: Sendable, Equatable, Codable {
        public var text: String
        public var status: Message.Status
        public var inputTokens: Int?
        public var outputTokens: Int?
        /// Prompt tokens read from the provider's cache (part of ``inputTokens``).
        public var cacheReadTokens: Int?
        /// Prompt tokens written to the provider's cache (part of ``inputTokens``).
        public var cacheWriteTokens: Int?
        /// Milliseconds from sending the request to the first text delta.
        public var firstTokenMilliseconds: Int?
        /// Milliseconds from sending the request to the end of the answer.
        public var totalMilliseconds: Int?
        /// Why a complete answer stopped, when it was not the model's own end: `maxTokens` (cut at
        /// the token limit), `contextWindow`, `blocked` or `other` (``StopReason/Kind``); nil otherwise.
        public var stop: String?

        public init(
            text: String, status: Message.Status = .complete, inputTokens: Int? = nil, outputTokens: Int? = nil,
            firstTokenMilliseconds: Int? = nil, totalMilliseconds: Int? = nil, stop: String? = nil,
            cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil
        ) {
            self.text = text
            self.status = status
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.cacheReadTokens = cacheReadTokens
            self.cacheWriteTokens = cacheWriteTokens
            self.firstTokenMilliseconds = firstTokenMilliseconds
            self.totalMilliseconds = totalMilliseconds
            self.stop = stop
        }
    }

    /// A summary of older messages, kept so ConversationCore can reapply it on resume.
    public struct Summary: Sendable, Equatable, Codable {
        public var text: String
        /// The id of the last message the summary covers, if the strategy reported it.
        public var coversThroughMessageID: Int?

        public init(text: String, coversThroughMessageID: Int? = nil) {
            self.text = text
            self.coversThroughMessageID = coversThroughMessageID
        }
    }

    /// The `type` field of the JSON line.
    public var typeName: String {
        switch self {
        case .sessionStart: "session"
        case .user: "user"
        case .answerDelta: "delta"
        case .assistant: "assistant"
        case .truncation: "truncation"
        case .summary: "summary"
        case .strategyChange: "strategy"
        case .pin: "pin"
        case .unpin: "unpin"
        case .systemChange: "system"
        case .modelChange: "model"
        case .newConversation: "new"
        case .estimator: "estimator"
        case .redactor: "redactor"
        case .settingsChange: "settings"
        case .evidence: "evidence"
        case .window: "window"
        }
    }

    /// Whether the journal syncs after this event. Everything is synced except streaming deltas,
    /// which come many per second and are superseded by the answer that follows them, and the
    /// estimator, which is derived and synced with the next question.
    public var needsSync: Bool {
        switch self {
        case .answerDelta, .estimator, .window: return false  // superseded by the next answer; derived data
        default: return true
        }
    }
}
