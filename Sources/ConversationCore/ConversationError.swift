/// Everything that can go wrong in ConversationCore, with messages an analyst can act on.
public enum ConversationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The system prompt, the pinned facts and the newest message alone do not fit the budget.
    case contextTooSmall(required: Int, available: Int)
    /// `unpin(at:)` was given an index that does not name a pin.
    case noSuchPin(index: Int, count: Int)
    /// `--strategy` named no known strategy.
    case unknownStrategy(String)
    /// `--keep-turns` was zero or negative.
    case invalidKeepTurns(Int)
    /// `--keep-turns` was given with a strategy other than `last-n`.
    case keepTurnsNeedsLastN(strategy: String)
    /// A summary was recorded as covering a message that is not in the history.
    case unknownMessage(id: Int, count: Int)
    /// A summary was recorded as covering less than the summary it replaces.
    case summaryGoesBackwards(coveringThrough: Int, alreadyCovered: Int)

    public var description: String {
        switch self {
        case .contextTooSmall(let required, let available):
            let over = required - available
            return "the system prompt, pinned facts and your newest message need about \(required.grouped) tokens "
                + "but only \(available.grouped) are available (\(over.grouped) over): shorten the message, "
                + "unpin facts, raise --context-window (or lower --max-tokens), or start over with /new; "
                + "nothing has been lost"
        case .noSuchPin(let index, let count):
            if count == 0 { return "there are no pinned facts to unpin (pin one with /pin TEXT)" }
            return "no pinned fact number \(index + 1): pins are numbered 1 to \(count) (list them with /facts)"
        case .unknownStrategy(let name):
            return "unknown truncation strategy '\(name)': use drop-oldest, last-n or summarise"
        case .invalidKeepTurns(let count):
            return "--keep-turns must be at least 1 (got \(count))"
        case .keepTurnsNeedsLastN(let strategy):
            return "--keep-turns only applies to --strategy last-n (the strategy is \(strategy))"
        case .unknownMessage(let id, let count):
            return "no message with id \(id): the history holds \(count) messages"
        case .summaryGoesBackwards(let coveringThrough, let alreadyCovered):
            return "a summary covering messages up to \(coveringThrough) would replace one that already covers "
                + "up to \(alreadyCovered); the summary only grows"
        }
    }
}
