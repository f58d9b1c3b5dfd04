/// How the view is cut down when the history does not fit the budget.
public enum TruncationStrategy: Sendable, Codable, Equatable, Hashable, CustomStringConvertible {
    /// Drop whole exchanges, oldest first, until the view fits.
    case dropOldest
    /// Send only the last N exchanges, then drop further if those do not fit.
    case lastN(Int)
    /// Fold the oldest exchanges into a running summary written by the model
    /// (see ``Conversation/summaryPlan(budget:estimator:)``); drop oldest while none fits.
    case summarise

    /// The number of exchanges `last-n` keeps when `--keep-turns` is not given.
    public static let defaultKeepTurns = 8

    /// The most exchanges a `last-n` view holds before its cut moves: `keep` plus half as many
    /// again, at least 2 more. At a truncation event the cut moves to the last `keep` exchanges
    /// and stays there while the newer ones are appended, so the request keeps extending the
    /// previous one (and the provider keeps reading it from its cache) for several turns; the
    /// model always sees at least the last `keep` exchanges, as asked.
    public static func lastNCeiling(keep: Int) -> Int {
        let keep = max(1, keep)
        return keep + max(2, (keep + 1) / 2)
    }

    /// Parses `--strategy drop-oldest|last-n|summarise` (also `summarize`, `last-n:N`) and
    /// `--keep-turns N`, which is only accepted with `last-n`.
    ///
    /// - Throws: ``ConversationError/unknownStrategy(_:)``, ``ConversationError/invalidKeepTurns(_:)``
    ///   or ``ConversationError/keepTurnsNeedsLastN(strategy:)``.
    public init(parsing name: String, keepTurns: Int? = nil) throws(ConversationError) {
        let lowered = name.lowercased()
        var inlineTurns: Int?
        var base = Substring(lowered)
        if let colon = lowered.firstIndex(of: ":") {
            base = lowered[..<colon]
            guard let count = Int(lowered[lowered.index(after: colon)...]) else {
                throw .unknownStrategy(name)
            }
            inlineTurns = count
        }
        switch base {
        case "drop-oldest", "dropoldest", "drop_oldest":
            guard keepTurns == nil, inlineTurns == nil else { throw .keepTurnsNeedsLastN(strategy: "drop-oldest") }
            self = .dropOldest
        case "summarise", "summarize":
            guard keepTurns == nil, inlineTurns == nil else { throw .keepTurnsNeedsLastN(strategy: "summarise") }
            self = .summarise
        case "last-n", "lastn", "last_n":
            let count = keepTurns ?? inlineTurns ?? TruncationStrategy.defaultKeepTurns
            guard count >= 1 else { throw .invalidKeepTurns(count) }
            self = .lastN(count)
        default:
            throw .unknownStrategy(name)
        }
    }

    /// The command-line spelling: `drop-oldest`, `last-n:N` or `summarise`.
    public var description: String {
        switch self {
        case .dropOldest: return "drop-oldest"
        case .lastN(let count): return "last-n:\(count)"
        case .summarise: return "summarise"
        }
    }
}
