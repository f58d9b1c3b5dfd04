/// The whole history of one investigation, with the case facts and the running summary, and
/// the view of it that each turn sends.
///
/// The history is never truncated: ``makeView(budget:estimator:)`` computes what to send from
/// it. Token estimates and indicators are computed once per message, when it is appended, so a
/// turn costs what it adds, not what the history holds.
///
/// An exchange is the analyst's message(s) and the model's answer(s) that follow. A user message
/// whose answer failed (followed directly by another user message) stays in the same exchange:
/// the view merges it into the next one, separated by a blank line, so nothing the analyst typed
/// is silently lost; if the merged newest exchange does not fit, the unanswered messages are left
/// out (their indicators still reach the case-facts block).
public struct Conversation: Sendable, Codable, Equatable {
    /// The instructions sent first in every request. Changing them (`/role`, `/system`) rewrites
    /// the prompt's prefix, so the stored ``window`` is forgotten: the next view is a truncation event.
    public var systemPrompt: String {
        didSet { if systemPrompt != oldValue { window = nil } }
    }
    /// The whole history, oldest first; a message's id is its index.
    public private(set) var messages: [Message]
    /// How the view is cut down when the history does not fit.
    public var strategy: TruncationStrategy
    /// Extracted indicators and analyst pins, for `/facts`.
    public private(set) var facts: CaseFacts
    /// The running summary of the oldest exchanges, when the summarise strategy has made one.
    public private(set) var summary: ConversationSummary?
    /// Where the last view sent began, and the facts block it froze: truncation with hysteresis
    /// keeps it until the view no longer fits (see ``ViewWindow``). `nil` before the first view.
    public private(set) var window: ViewWindow?

    /// `cumulativeRawTokens[i]` is the raw cost of messages `0..<i`.
    var cumulativeRawTokens: [Int]
    /// The index of the first message of each exchange (always a user message).
    var exchangeStarts: [Int]

    /// Creates an empty conversation.
    public init(systemPrompt: String, strategy: TruncationStrategy = .dropOldest) {
        self.systemPrompt = systemPrompt
        self.messages = []
        self.strategy = strategy
        self.facts = CaseFacts()
        self.summary = nil
        self.cumulativeRawTokens = [0]
        self.exchangeStarts = []
    }

    /// Appends what the analyst typed.
    @discardableResult
    public mutating func appendUser(_ text: String) -> Message {
        if messages.last?.role != .user { exchangeStarts.append(messages.count) }
        return append(Message(id: messages.count, role: .user, text: text))
    }

    /// Appends a question with files attached (evidence): the message is the question, then each
    /// attachment between its header and footer lines (``Attachment/compose(question:attachments:)``).
    /// Indicators in the question count as typed (or pasted, if it has several lines); those in the
    /// attachments as evidence. Both are the analyst's facts.
    @discardableResult
    public mutating func appendUser(_ question: String, attachments: [Attachment]) -> Message {
        guard !attachments.isEmpty else { return appendUser(question) }
        if messages.last?.role != .user { exchangeStarts.append(messages.count) }
        let message = Message(
            id: messages.count, role: .user, text: Attachment.compose(question: question, attachments: attachments))
        let questionSource = FactProvenance.Source.of(role: .user, text: question)
        var found = IndicatorExtractor.indicators(in: question).map { (indicator: $0, source: questionSource) }
        for attachment in attachments {
            found += IndicatorExtractor.indicators(in: attachment.text).map { (indicator: $0, source: .evidence) }
        }
        return append(message, facts: found)
    }

    /// A copy with `text` appended as the analyst's next message, for measuring what the next
    /// request would cost (``makeView(budget:estimator:)``) without scanning the text for case
    /// facts, which can take seconds for a large file: the newest message's own facts never change
    /// what a view costs (they travel in the message, not in the facts block).
    public func draft(appendingUser text: String) -> Conversation {
        var copy = self
        if copy.messages.last?.role != .user { copy.exchangeStarts.append(copy.messages.count) }
        _ = copy.append(Message(id: copy.messages.count, role: .user, text: text), facts: [])
        return copy
    }

    /// Appends the model's answer; `.interrupted` when it stopped part-way.
    @discardableResult
    public mutating func appendAssistant(_ text: String, status: Message.Status = .complete) -> Message {
        append(Message(id: messages.count, role: .assistant, text: text, status: status))
    }

    private mutating func append(_ message: Message) -> Message {
        let source = FactProvenance.Source.of(role: message.role, text: message.text)
        return append(message, facts: IndicatorExtractor.indicators(in: message.text).map { (indicator: $0, source: source) })
    }

    private mutating func append(_ message: Message, facts found: [(indicator: Indicator, source: FactProvenance.Source)]) -> Message {
        messages.append(message)
        cumulativeRawTokens.append(cumulativeRawTokens[cumulativeRawTokens.count - 1] + TokenEstimator.rawCost(of: message))
        facts.record(found, inMessageAt: message.id)
        return message
    }

    /// Pins free text to the case facts; pins are always sent.
    public mutating func pin(_ text: String) { facts.pin(text) }

    /// Removes the pin at `index` (0-based, as `/facts` numbers them).
    ///
    /// - Throws: ``ConversationError/noSuchPin(index:count:)``.
    public mutating func unpin(at index: Int) throws(ConversationError) { try facts.unpin(at: index) }

    /// Builds what this turn sends and keeps its ``window`` for the next turn.
    ///
    /// Between truncation events the view is the previous one plus what was appended since, so the
    /// provider's prompt cache keeps matching; when it no longer fits, the cut moves forward to the
    /// budget's ``ContextBudget/lowWaterMark`` and stays there.
    ///
    /// - Throws: ``ConversationError/contextTooSmall(required:available:)``; nothing changes then.
    @discardableResult
    public mutating func advanceView(budget: ContextBudget, estimator: TokenEstimator) throws(ConversationError) -> ContextView {
        let view = try makeView(budget: budget, estimator: estimator)
        window = view.window
        return view
    }

    /// Forgets the stored window, so the next view is computed afresh (and is a truncation event).
    public mutating func resetWindow() { window = nil }

    /// Takes a window journaled by an earlier run of this conversation (see ``ViewWindow``), so
    /// the first view after a resume extends the last request sent before it. A window that no
    /// longer matches the history (a cut past its end) is ignored; one that no longer fits the
    /// budget makes the next view a truncation event, as it would have without the resume.
    public mutating func restoreWindow(_ saved: ViewWindow) {
        guard saved.cut <= messages.count else { return }
        window = saved
    }

    /// Builds what this turn would send, using ``strategy`` and the stored ``window``, without
    /// keeping anything (for previews such as `/context`; sending uses ``advanceView(budget:estimator:)``).
    ///
    /// - Throws: ``ConversationError/contextTooSmall(required:available:)`` when the system
    ///   prompt, the pins and the newest message alone do not fit; the history is untouched.
    public func makeView(budget: ContextBudget, estimator: TokenEstimator) throws(ConversationError) -> ContextView {
        try ViewBuilder(conversation: self, budget: budget, estimator: estimator).build()
    }

    /// What the model should summarise next, or `nil` when nothing needs summarising yet.
    ///
    /// Only for the summarise strategy. A plan appears once the prompt would pass 90% of the
    /// budget (``ContextBudget/summariseThreshold``), before the window is full; it folds the
    /// oldest unsummarised exchanges down to the budget's ``ContextBudget/lowWaterMark`` (never the
    /// newest, and at most half the budget at a time), so that folds, which rewrite the prompt's
    /// prefix, are rare; and it
    /// asks for a briefer rewrite when the summary itself passes 15% of the budget. Summarising
    /// may run while the analyst reads; record the result with ``recordSummary(_:covering:)``.
    public func summaryPlan(budget: ContextBudget, estimator: TokenEstimator) -> SummaryPlan? {
        guard strategy == .summarise else { return nil }
        return ViewBuilder(conversation: self, budget: budget, estimator: estimator).summaryPlan()
    }

    /// Records the summary the model wrote for a ``SummaryPlan``, replacing the previous one.
    ///
    /// - Parameter messageID: the plan's ``SummaryPlan/coversThroughMessageID``.
    /// - Throws: ``ConversationError/unknownMessage(id:count:)`` or
    ///   ``ConversationError/summaryGoesBackwards(coveringThrough:alreadyCovered:)``.
    public mutating func recordSummary(_ text: String, covering messageID: Int) throws(ConversationError) {
        guard messages.indices.contains(messageID) else {
            throw .unknownMessage(id: messageID, count: messages.count)
        }
        if let summary, messageID < summary.coversThroughMessageID {
            throw .summaryGoesBackwards(coveringThrough: messageID, alreadyCovered: summary.coversThroughMessageID)
        }
        summary = ConversationSummary(text: text, coversThroughMessageID: messageID)
    }

    /// Forgets the running summary (the history it covered is still here).
    public mutating func clearSummary() { summary = nil }

    /// The raw cost of history messages `range`.
    func rawTokens(_ range: Range<Int>) -> Int {
        cumulativeRawTokens[range.upperBound] - cumulativeRawTokens[range.lowerBound]
    }
}
