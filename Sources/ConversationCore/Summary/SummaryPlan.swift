/// The work the model should do to extend the running summary: returned by
/// ``Conversation/summaryPlan(budget:estimator:)``, carried out by the caller (which owns the
/// network), and finished with ``Conversation/recordSummary(_:covering:)``.
public struct SummaryPlan: Sendable, Equatable {
    /// The summary written so far, to be extended (or condensed).
    public var previousSummary: String?
    /// The exchanges to fold into the summary, oldest first, repaired as in a view.
    public var messages: [Message]
    /// The id to pass to ``Conversation/recordSummary(_:covering:)`` with the new summary.
    public var coversThroughMessageID: Int
    /// Whether the previous summary has grown too large and must be rewritten more briefly.
    public var condense: Bool
    /// The length the new summary should stay under, in tokens.
    public var targetTokens: Int

    /// A ready-made prompt for the model; send it as a single user message.
    public var prompt: String { prompt(fencing: { $0 }) }

    /// The prompt with each of the analyst's messages passed through `fence` first, so that a
    /// pasted log or mail reaches the summariser marked as untrusted data exactly as it does in chat.
    public func prompt(fencing fence: (String) -> String) -> String {
        var lines: [String] = []
        let verb = condense ? "Rewrite more briefly" : "Extend"
        lines.append(
            "You maintain a running summary of an incident-response conversation between a security analyst "
                + "and an assistant. \(verb) the summary below so that it also covers the new exchanges. Keep every "
                + "indicator (IP addresses, domains, URLs, hashes, hosts, users, file paths, CVE and ATT&CK IDs), "
                + "every finding, decision and open question; drop pleasantries. Write at most about "
                + "\(targetTokens.grouped) tokens. Reply with the summary only.")
        lines.append("")
        lines.append("Summary so far:")
        lines.append(previousSummary ?? "(none yet)")
        lines.append("")
        lines.append(messages.isEmpty ? "New exchanges: (none)" : "New exchanges:")
        for message in messages {
            if message.role == .user {
                lines.append("Analyst: \(fence(message.text))")
            } else {
                lines.append("Assistant: \(message.text)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
