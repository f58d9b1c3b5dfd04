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

    /// What is sent in place of an empty answer (an Anthropic refusal or empty `end_turn`, a Gemini
    /// blocked prompt): providers reject a request holding an empty message, so one empty answer
    /// would otherwise break every later request. The history keeps the answer as it was (empty).
    public static let emptyAnswerPlaceholder = "[the model returned an empty answer]"

    /// What is sent in place of a message with no visible text from the analyst (never typed, but a
    /// journal may hold one).
    public static let emptyQuestionPlaceholder = "[empty message]"

    /// Whether the text holds nothing but white space: such a message is never sent as it is.
    public var isBlank: Bool { Message.isBlank(text) }

    /// Whether `text` holds nothing but white space (what Anthropic and Gemini reject as empty content).
    public static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// The placeholder sent for a blank message of `role`.
    public static func placeholder(for role: Role) -> String {
        role == .assistant ? emptyAnswerPlaceholder : emptyQuestionPlaceholder
    }

    /// The text as it is sent to the model: an interrupted answer ends with ``interruptedMarker``, and
    /// a blank message is replaced by ``placeholder(for:)``.
    public var textForSending: String {
        guard status == .interrupted else { return isBlank ? Message.placeholder(for: role) : text }
        return isBlank ? Message.interruptedMarker : text + "\n\n" + Message.interruptedMarker
    }
}
