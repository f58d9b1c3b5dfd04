/// Where the view begins and the facts block it carries, kept between turns so that the prompt's
/// prefix stays byte-identical until the view no longer fits.
///
/// This is the state of truncation with hysteresis: ``Conversation/advanceView(budget:estimator:)``
/// keeps the window while the view fits the budget; when it does not (or the strategy, the
/// summary or the pins change), a *truncation event* moves the cut forward to the budget's
/// ``ContextBudget/lowWaterMark`` and freezes a new facts block. Between events each request is
/// the previous one plus the new exchange.
public struct ViewWindow: Sendable, Codable, Equatable {
    /// The history index of the first message sent.
    public var cut: Int
    /// The strategy the window was made for; another strategy starts afresh.
    public var strategy: TruncationStrategy
    /// The summary coverage the window was made for (`nil`: no summary sent).
    public var summaryCoversThrough: Int?
    /// The pins the facts block holds; a `/pin` or `/unpin` rebuilds the block.
    public var pins: [String]
    /// The facts block, frozen at the event: its text is appended to the system prompt.
    var factsText: String
    var factsRawTokens: Int
    var factsIndicatorCount: Int
    var factsOmittedSome: Bool
    /// How many truncation events made this window (1 for the first view).
    public var events: Int

    var block: CaseFacts.Block {
        CaseFacts.Block(
            text: factsText, rawTokens: factsRawTokens, indicatorCount: factsIndicatorCount,
            omittedSome: factsOmittedSome)
    }
}
