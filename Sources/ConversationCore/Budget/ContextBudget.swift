/// How many tokens one request may spend on its prompt: the context window, less what the
/// answer needs and a safety margin for estimation error.
public struct ContextBudget: Sendable, Codable, Equatable, Hashable {
    /// The model's context window in tokens (prompt and answer together).
    public var contextWindow: Int
    /// Tokens kept free for the answer (the request's max tokens).
    public var reservedForAnswer: Int
    /// Tokens kept free because the estimate is not exact.
    public var safetyMargin: Int
    /// The low-water mark of truncation, as a fraction of ``available`` (`nil`: ``defaultLowWaterFraction``).
    ///
    /// When the view no longer fits, the cut moves forward until what is sent is at most this
    /// fraction of the budget, and then stays put until the budget is exceeded again, so that
    /// the prompt's prefix (which providers cache) stays byte-identical for several turns. Lower
    /// values truncate less often but send less history; 1 truncates one exchange at a time.
    public var lowWaterFraction: Double?

    /// The default low-water mark: 60% of the budget. Measured with `incident-bench cache` (a
    /// 60-turn conversation at a 2,500-token window, ~150-token exchanges), the share of prompt
    /// tokens read from the cache peaked there for every provider: lower marks truncate less often
    /// but send smaller prompts, so the uncached new turn weighs more; higher marks truncate too
    /// often. At a 2,048-token window with ~100-token exchanges it leaves about seven turns
    /// between truncation events.
    public static let defaultLowWaterFraction = 0.6

    /// Creates a budget; the default safety margin is 5% of the window, at most 8,192 tokens.
    public init(contextWindow: Int, reservedForAnswer: Int, safetyMargin: Int? = nil, lowWaterFraction: Double? = nil) {
        self.contextWindow = max(0, contextWindow)
        self.reservedForAnswer = max(0, reservedForAnswer)
        self.safetyMargin = max(0, safetyMargin ?? ContextBudget.defaultSafetyMargin(for: contextWindow))
        self.lowWaterFraction = lowWaterFraction.map { min(max($0, 0), 1) }
    }

    /// The tokens a view may use right after a truncation event (see ``lowWaterFraction``).
    public var lowWaterMark: Int {
        Int(Double(available) * min(max(lowWaterFraction ?? ContextBudget.defaultLowWaterFraction, 0), 1))
    }

    /// A budget for a model by name, using `contextWindowOverride` (from `--context-window` or the
    /// server) when given, else ``ModelCatalog``, else ``ModelCatalog/defaultContextWindow``.
    public static func forModel(
        _ model: String, reservedForAnswer: Int, contextWindowOverride: Int? = nil
    ) -> ContextBudget {
        let window = contextWindowOverride ?? ModelCatalog.contextWindowOrDefault(for: model)
        return ContextBudget(contextWindow: window, reservedForAnswer: reservedForAnswer)
    }

    /// The default safety margin for a window: 5%, at most 8,192 tokens.
    public static func defaultSafetyMargin(for contextWindow: Int) -> Int {
        min(max(0, contextWindow) / 20, 8_192)
    }

    /// Tokens the prompt (system text and messages) may use.
    public var available: Int { max(0, contextWindow - reservedForAnswer - safetyMargin) }

    /// The prompt size at which the summarise strategy folds old exchanges: 90% of the budget, late
    /// enough that folds (which rewrite the prompt's prefix) are rare, early enough to come before
    /// anything has to be dropped. A fold brings the prompt back to the ``lowWaterMark``.
    public var summariseThreshold: Int { available / 10 * 9 }
}
