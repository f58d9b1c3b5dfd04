/// Where a case fact came from: which message first mentioned it, and whether the analyst typed
/// it, pasted it (a multi-line message: a log, a mail) or only the model mentioned it.
///
/// Only facts from the analyst (typed or pasted) are carried into later requests: an indicator
/// that only the model mentioned may be a hallucination, or one planted in a pasted mail that the
/// model repeated, and the facts block speaks with the system prompt's authority.
public struct FactProvenance: Sendable, Codable, Equatable, Hashable {
    /// How a message came to be.
    public enum Source: String, Sendable, Codable, Hashable, CaseIterable {
        /// A one-line message the analyst typed.
        case typed
        /// A multi-line message from the analyst: a pasted log, mail or page.
        case pasted
        /// The model's answer.
        case model

        /// The source of a message with `role` and `text`.
        public static func of(role: Message.Role, text: String) -> Source {
            guard role == .user else { return .model }
            return text.utf8.contains { $0 == 0x0A || $0 == 0x0D } ? .pasted : .typed
        }
    }

    /// The id of the first message that mentions the fact.
    public var firstMessageID: Int
    /// Where that first mention came from.
    public var firstSource: Source
    /// The id of the first message from the analyst (typed or pasted) that mentions it, if any.
    public var firstAnalystMessageID: Int?
    /// Whether the analyst typed it in a one-line message at least once.
    public var wasTyped: Bool
    /// Whether the analyst pasted it at least once.
    public var wasPasted: Bool

    /// A fact first seen in message `id` from `source`.
    public init(firstMessageID id: Int, source: Source) {
        firstMessageID = id
        firstSource = source
        firstAnalystMessageID = source == .model ? nil : id
        wasTyped = source == .typed
        wasPasted = source == .pasted
    }

    /// Whether the analyst typed or pasted it (and not only the model mentioned it).
    public var isFromAnalyst: Bool { wasTyped || wasPasted }

    /// Records another mention, in message `id` from `source`.
    mutating func recordMention(inMessage id: Int, source: Source) {
        switch source {
        case .typed: wasTyped = true
        case .pasted: wasPasted = true
        case .model: return
        }
        if firstAnalystMessageID == nil { firstAnalystMessageID = id }
    }

    /// A short label for `/facts` and notes: `typed #3`, `pasted #5`, `model #2`.
    public var label: String {
        if let analyst = firstAnalystMessageID {
            return (wasTyped ? "typed" : "pasted") + " #\(analyst + 1)"
        }
        return "model #\(firstMessageID + 1)"
    }
}
