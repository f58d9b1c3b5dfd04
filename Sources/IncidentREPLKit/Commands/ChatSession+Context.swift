import ConversationCore
import LLMClients
import Safeguards
/// `/context` and `/history`: what the next call would send, and what was said.
extension ChatSession {
    /// The view the next call would send: the conversation plus a placeholder for the next question.
    func nextView() -> Result<ContextView, ConversationError> {
        var draft = conversation
        if draft.messages.last?.role != .user { draft.appendUser("(your next question)") }
        do {
            return .success(try draft.makeView(budget: budget, estimator: estimator))
        } catch {
            return .failure(error)
        }
    }

    func showContext() {
        switch nextView() {
        case .failure(let error):
            warn("\(error)")
        case .success(let view):
            let filtered = filterForSending(view)
            say("── system (\(estimator.estimate(filtered.wholeSystem)) tokens) ──")
            sayUntrusted(filtered.wholeSystem)
            for (message, sent) in zip(view.messages, filtered.messages) {
                say("── \(sent.role.rawValue) #\(message.id + 1) (\(estimator.estimate(sent.content)) tokens) ──")
                sayUntrusted(sent.content)
            }
            say("── \(view.estimatedTokens) of \(budget.available) tokens (estimated); \(view.droppedMessageCount) messages left out ──")
        }
    }

    /// The conversation, or with `N` its last N exchanges.
    func showHistory(_ argument: String = "") {
        guard !conversation.messages.isEmpty else { return say("no messages yet") }
        var shown = conversation.messages[...]
        if !argument.isEmpty {
            guard let count = Int(argument), count > 0 else { return warn("usage: /history [N] (the last N exchanges)") }
            var exchanges = 0
            var start = shown.endIndex
            while start > shown.startIndex, exchanges < count {
                start -= 1
                if shown[start].role == .user, start == shown.startIndex || shown[start - 1].role != .user { exchanges += 1 }
            }
            shown = shown[start...]
        }
        for message in shown {
            let who = message.role == .user ? "You" : "Assistant"
            let mark = message.status == .interrupted ? " (interrupted)"
                : message.role == .assistant && message.isBlank ? " (empty answer, sent as \(Message.emptyAnswerPlaceholder))" : ""
            say("#\(message.id + 1) \(who)\(mark):")
            sayUntrusted(message.text)
        }
    }
}
