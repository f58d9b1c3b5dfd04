import ConversationCore
import LLMClients

/// What one streamed answer produced, including how it failed.
struct StreamOutcome: Sendable {
    var answer = ""
    var usage = TokenUsage()
    var stopReason: StopReason?
    var failure: (any Error)?
    /// A streamed piece of the answer that could not be journaled (the whole answer is journaled after).
    var journalFailure: (any Error)?
    var firstToken: Duration?
    var total: Duration = .zero

    /// The dimmed line after an answer: tokens in (and how many were read from the provider's
    /// cache), out, time to first token, total time, e.g. `[2,310 in (2,048 cached) · 212 out · …]`.
    var footer: String {
        var input = (usage.inputTokens.map(\.grouped) ?? "?") + " in"
        if let read = usage.cacheReadTokens, read > 0 { input += " (\(read.grouped) cached)" }
        if let written = usage.cacheWriteTokens, written > 0 { input += " (\(written.grouped) written to the cache)" }
        let tokens = "\(input) · \(usage.outputTokens.map(\.grouped) ?? "?") out"
        let first = firstToken.map { "first token \(ChatSession.seconds($0)) s" } ?? "no tokens"
        return "[\(tokens) · \(first) · total \(ChatSession.seconds(total)) s]"
    }
}
