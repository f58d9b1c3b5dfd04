import ConversationCore
import LLMClients
import Safeguards

/// What the token budget means to the analyst: a window that leaves room, and stop reasons in words.
extension ChatSession {
    /// The answer reserve used when the analyst did not set `--max-tokens`: 1,024 tokens, but never
    /// more than a quarter of the window (a 2,048-token local model keeps room for the conversation).
    public static func defaultAnswerReserve(contextWindow: Int) -> Int {
        min(1024, max(64, contextWindow / 4))
    }

    /// Sizes the default answer reserve to the window, and warns when what is left for the
    /// conversation is too small to be useful.
    func fitAnswerReserveToWindow() {
        if !options.maxTokensChosen {
            options.maxTokens = Self.defaultAnswerReserve(contextWindow: options.contextWindow)
        }
        let available = budget.available
        if available < max(256, options.contextWindow / 4) {
            errors.write(errors.red("warning: ") + "a \(options.contextWindow.grouped)-token window less the "
                + "\(options.maxTokens.grouped)-token answer limit leaves \(available.grouped) tokens for the conversation; "
                + "lower --max-tokens or raise --context-window\n")
        }
    }

    /// Why an answer ended early, in words.
    static func describeStop(_ reason: StopReason, maxTokens: Int) -> String {
        switch reason.kind {
        case .maxTokens:
            "(the answer reached the --max-tokens limit of \(maxTokens.grouped) tokens; ask it to go on, or start with a higher --max-tokens)"
        case .blocked:
            "(the provider stopped the answer: \(OutputSanitizer.sanitize(reason.raw)))"
        case .contextWindow:
            "(the answer stopped because the context window filled up)"
        case .endTurn, .other:
            "(answer stopped: \(OutputSanitizer.sanitize(reason.raw)))"
        }
    }
}
