// Temporary minimal ConversationCore until the full module (budget, strategies, facts) lands.
public struct Message: Sendable, Codable, Equatable, Identifiable {
    public enum Role: String, Codable, Sendable { case user, assistant }
    public enum Status: String, Codable, Sendable { case complete, interrupted }
    public let id: Int
    public var role: Role
    public var text: String
    public var status: Status
}

public struct ContextBudget: Sendable, Codable, Equatable {
    public var contextWindow: Int
    public var reservedForAnswer: Int
    public init(contextWindow: Int, reservedForAnswer: Int, safetyMargin: Int? = nil) {
        self.contextWindow = contextWindow
        self.reservedForAnswer = reservedForAnswer
    }
    public var available: Int { contextWindow - reservedForAnswer }
}

public struct TokenEstimator: Sendable, Codable, Equatable {
    public init() {}
    public func estimate(_ text: String) -> Int { text.utf8.count / 4 + 1 }
    public mutating func calibrate(estimatedInput: Int, reportedInput: Int) {}
}

public struct ContextView: Sendable, Equatable {
    public var system: String
    public var messages: [Message]
    public var estimatedTokens: Int
    public var notice: String?
}

public struct Conversation: Sendable, Codable, Equatable {
    public var systemPrompt: String
    public private(set) var messages: [Message] = []
    public init(systemPrompt: String) { self.systemPrompt = systemPrompt }
    @discardableResult public mutating func appendUser(_ text: String) -> Message {
        let message = Message(id: messages.count, role: .user, text: text, status: .complete)
        messages.append(message)
        return message
    }
    @discardableResult public mutating func appendAssistant(_ text: String, status: Message.Status = .complete) -> Message {
        let message = Message(id: messages.count, role: .assistant, text: text, status: status)
        messages.append(message)
        return message
    }
    public func makeView(budget: ContextBudget, estimator: TokenEstimator) throws -> ContextView {
        ContextView(system: systemPrompt, messages: messages, estimatedTokens: 0, notice: nil)
    }
}
