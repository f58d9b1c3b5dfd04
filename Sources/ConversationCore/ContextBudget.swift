/// How many tokens one request may spend on its prompt: the context window, less what the
/// answer needs and a safety margin for estimation error.
public struct ContextBudget: Sendable, Codable, Equatable, Hashable {
    /// The model's context window in tokens (prompt and answer together).
    public var contextWindow: Int
    /// Tokens kept free for the answer (the request's max tokens).
    public var reservedForAnswer: Int
    /// Tokens kept free because the estimate is not exact.
    public var safetyMargin: Int

    /// Creates a budget; the default safety margin is 5% of the window, at most 8,192 tokens.
    public init(contextWindow: Int, reservedForAnswer: Int, safetyMargin: Int? = nil) {
        self.contextWindow = max(0, contextWindow)
        self.reservedForAnswer = max(0, reservedForAnswer)
        self.safetyMargin = max(0, safetyMargin ?? ContextBudget.defaultSafetyMargin(for: contextWindow))
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

    /// The prompt size at which the summarise strategy starts folding old exchanges (75%).
    public var summariseThreshold: Int { available / 4 * 3 }
}
