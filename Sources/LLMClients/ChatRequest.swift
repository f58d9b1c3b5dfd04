/// One call to a model: the system prompt, the messages of the view, and the output limit.
///
/// The view is computed by the caller (ConversationCore); a backend sends exactly what it is given.
public struct ChatRequest: Sendable, Equatable {
    /// A message of the conversation as sent on the wire.
    public struct Message: Sendable, Equatable, Codable {
        /// Who wrote a message. The system prompt is not a message: see ``ChatRequest/system``.
        public enum Role: String, Sendable, Equatable, Codable {
            case user
            case assistant
        }

        public var role: Role
        public var content: String

        public init(role: Role, content: String) {
            self.role = role
            self.content = content
        }

        /// A user message.
        public static func user(_ content: String) -> Message { Message(role: .user, content: content) }
        /// An assistant message.
        public static func assistant(_ content: String) -> Message { Message(role: .assistant, content: content) }
    }

    /// The model name as the provider knows it.
    public var model: String
    /// The role's system prompt: stable for the whole session (until `/role` or `/system`), so a
    /// provider can cache it on its own; empty for none.
    public var system: String
    /// What is sent after the system prompt in the same system text: the case-facts block and the
    /// running summary, which change only at truncation events. Empty for none.
    ///
    /// Providers with one system string get ``wholeSystem``; Anthropic gets two system blocks, the
    /// stable one carrying a cache breakpoint.
    public var systemContext: String
    /// The conversation, oldest first; starts with a user message and alternates roles.
    public var messages: [Message]
    /// The most tokens the answer may use.
    public var maxTokens: Int
    /// Sampling temperature, or `nil` for the provider's default.
    public var temperature: Double?
    /// The context window to ask for where the server allocates it per request (Ollama's `num_ctx`).
    public var contextWindow: Int?
    /// How the provider is asked to cache the prompt's prefix (see ``PromptCaching``).
    public var caching: PromptCaching

    public init(
        model: String,
        system: String,
        systemContext: String = "",
        messages: [Message],
        maxTokens: Int,
        temperature: Double? = nil,
        contextWindow: Int? = nil,
        caching: PromptCaching = PromptCaching()
    ) {
        self.model = model
        self.system = system
        self.systemContext = systemContext
        self.messages = messages
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.contextWindow = contextWindow
        self.caching = caching
    }

    /// The system prompt followed by the system context: the one system text of providers that take one.
    public var wholeSystem: String { system + systemContext }
}
