/// Where the tokens of a view go, for `/tokens`. All counts are calibrated estimates.
public struct TokenBreakdown: Sendable, Equatable {
    /// The model's context window.
    public var contextWindow: Int
    /// Tokens kept free for the answer.
    public var reservedForAnswer: Int
    /// Tokens kept free for estimation error.
    public var safetyMargin: Int
    /// Tokens the prompt may use.
    public var available: Int
    /// The system prompt.
    public var system: Int
    /// The case-facts block (pins and indicators from messages left out).
    public var facts: Int
    /// The running summary.
    public var summary: Int
    /// The messages sent.
    public var messages: Int
    /// The whole prompt (may exceed the sum of the parts by rounding).
    public var used: Int
    /// Messages sent, after merging.
    public var messageCount: Int
    /// Messages in the history.
    public var historyCount: Int
    /// Real tokens per estimated token, as calibrated.
    public var ratio: Double

    /// A few lines for `/tokens`.
    public var description: String {
        let percent = available > 0 ? used * 100 / available : 100
        let ratioText = String(Int((ratio * 100).rounded()))
        return [
            "budget:   \(available.grouped) of \(contextWindow.grouped) (\(reservedForAnswer.grouped) for the answer, "
                + "\(safetyMargin.grouped) margin)",
            "used:     \(used.grouped) (\(percent)%), \(messageCount) of \(historyCount) messages sent",
            "system:   \(system.grouped)",
            "facts:    \(facts.grouped)",
            "summary:  \(summary.grouped)",
            "messages: \(messages.grouped)",
            "estimate: calibration \(ratioText)% of the raw count",
        ].joined(separator: "\n")
    }
}
