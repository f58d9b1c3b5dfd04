/// One turn of the analyst or the model, exactly as it was typed or received.
///
/// Messages are the record of the investigation: ``Conversation`` never edits or deletes them.
/// Identifiers are assigned by the conversation from 0 upwards and equal the message's position
/// in ``Conversation/messages``.
public struct Message: Sendable, Codable, Equatable, Hashable, Identifiable {
    /// Who wrote the message.
    public enum Role: String, Codable, Sendable, Hashable, CaseIterable {
        /// The analyst.
        case user
        /// The model.
        case assistant
    }

    /// Whether the message arrived whole.
    public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
        /// The message is complete.
        case complete
        /// The answer stopped part-way (Ctrl-C, dropped connection); the text is what arrived.
        case interrupted
    }

    /// The marker appended to the text of an interrupted answer when it is sent again.
    public static let interruptedMarker = "[answer interrupted]"

    /// The message's position in the history, starting at 0.
    public let id: Int
    /// Who wrote the message.
    public var role: Role
    /// The text as typed or received.
    public var text: String
    /// Whether the message arrived whole.
    public var status: Status

    /// Creates a message; ``Conversation`` assigns the identifier when it appends one.
    public init(id: Int, role: Role, text: String, status: Status = .complete) {
        self.id = id
        self.role = role
        self.text = text
        self.status = status
    }

    /// The text as it is sent to the model: an interrupted answer ends with ``interruptedMarker``.
    public var textForSending: String {
        guard status == .interrupted else { return text }
        return text.isEmpty ? Message.interruptedMarker : text + "\n\n" + Message.interruptedMarker
    }
}
