/// What one turn sends: derived from the history by the strategy, ready to map to a wire format.
public struct ContextView: Sendable, Equatable {
    /// The conversation's system prompt, unchanged: the most stable part of every request.
    public var systemPrompt: String
    /// The case-facts block, then the running summary, sent right after the system prompt; it
    /// changes only at truncation events (see ``ViewWindow``). Empty for none.
    public var systemContext: String
    /// The system prompt, then the case-facts block, then the running summary, ready to send.
    public var system: String { systemPrompt + systemContext }
    /// The messages to send: they start with a user message, alternate user/assistant, and end
    /// with the newest exchange. Consecutive messages of one role are merged (the id is the last
    /// one's); interrupted answers end with ``Message/interruptedMarker``.
    public var messages: [Message]
    /// The calibrated estimate of the whole prompt; at most the budget's ``ContextBudget/available``.
    /// Pass it to ``TokenEstimator/calibrate(estimatedInput:reportedInput:)`` after the answer.
    public var estimatedTokens: Int
    /// One line saying what was left out, e.g. `context: dropped 6 oldest messages (3,120 tokens)
    /// to fit the 6,963-token budget`; `nil` when everything is sent.
    public var notice: String?
    /// Where the tokens go, for `/tokens`.
    public var breakdown: TokenBreakdown
    /// Whether the estimate is close enough to the limit that the caller should ask the provider
    /// for an exact count before sending (see ``TokenEstimator/nearLimitFraction``).
    public var isNearLimit: Bool
    /// The ids of the history messages sent (a suffix of the history).
    public var sentMessageIDs: Range<Int>
    /// History messages neither sent nor covered by the summary.
    public var droppedMessageCount: Int
    /// Their calibrated estimate.
    public var droppedTokens: Int
    /// History messages covered by the summary sent in ``system``.
    public var summarisedMessageCount: Int
    /// Indicators from left-out messages carried in the case-facts block.
    public var carriedFactCount: Int
    /// Where the view begins and the facts block it froze: the state to keep for the next turn
    /// (``Conversation/advanceView(budget:estimator:)`` stores it).
    public var window: ViewWindow
    /// Whether this view is the previous one (the conversation's stored ``Conversation/window``)
    /// plus what was appended since: same system text, same earlier messages, so that the
    /// provider's cached prefix still matches. `false` at a truncation event and for a first view.
    public var extendsPreviousPrefix: Bool
}
