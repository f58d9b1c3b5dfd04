/// Where a case fact came from: which message first mentioned it, and whether the analyst typed
/// it, pasted it (a multi-line message: a log, a mail), attached it in an evidence file (`/file`),
/// or only the model mentioned it.
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
        /// A file the analyst attached to a question (`/file`, `--file`): the analyst's evidence.
        case evidence
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
    /// Whether it was in an evidence file the analyst attached at least once.
    public var wasInEvidence: Bool

    /// A fact first seen in message `id` from `source`.
    public init(firstMessageID id: Int, source: Source) {
        firstMessageID = id
        firstSource = source
        firstAnalystMessageID = source == .model ? nil : id
        wasTyped = source == .typed
        wasPasted = source == .pasted
        wasInEvidence = source == .evidence
    }

    enum CodingKeys: String, CodingKey {
        case firstMessageID, firstSource, firstAnalystMessageID, wasTyped, wasPasted, wasInEvidence
    }

    /// Decodes a provenance; one saved before evidence files existed has no `wasInEvidence`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        firstMessageID = try c.decode(Int.self, forKey: .firstMessageID)
        firstSource = try c.decode(Source.self, forKey: .firstSource)
        firstAnalystMessageID = try c.decodeIfPresent(Int.self, forKey: .firstAnalystMessageID)
        wasTyped = try c.decode(Bool.self, forKey: .wasTyped)
        wasPasted = try c.decode(Bool.self, forKey: .wasPasted)
        wasInEvidence = try c.decodeIfPresent(Bool.self, forKey: .wasInEvidence) ?? false
    }

    /// Whether the analyst typed, pasted or attached it (and not only the model mentioned it).
    public var isFromAnalyst: Bool { wasTyped || wasPasted || wasInEvidence }

    /// Records another mention, in message `id` from `source`.
    mutating func recordMention(inMessage id: Int, source: Source) {
        switch source {
        case .typed: wasTyped = true
        case .pasted: wasPasted = true
        case .evidence: wasInEvidence = true
        case .model: return
        }
        if firstAnalystMessageID == nil { firstAnalystMessageID = id }
    }

    /// A short label for `/facts` and notes: `typed #3`, `pasted #5`, `evidence #4`, `model #2`.
    public var label: String {
        if let analyst = firstAnalystMessageID {
            return analystSourceName + " #\(analyst + 1)"
        }
        return "model #\(firstMessageID + 1)"
    }

    /// How the analyst gave it, the most direct way first: `typed`, `pasted` or `evidence`.
    public var analystSourceName: String {
        wasTyped ? "typed" : wasPasted ? "pasted" : "evidence"
    }
}
