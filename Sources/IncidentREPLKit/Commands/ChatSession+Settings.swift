import ConversationCore
import LLMClients
import Safeguards
/// `/strategy`, `/role`, `/redact` and `/retry`.
extension ChatSession {
    func setStrategy(_ argument: String) {
        guard !argument.isEmpty else { return say("strategy: \(conversation.strategy)") }
        let words = argument.split(separator: " ")
        do {
            let turns = words.count > 1 ? Int(words[1]) : nil
            if words.count > 1, turns == nil { return warn("usage: /strategy last-n N") }
            conversation.strategy = try TruncationStrategy(parsing: String(words[0]), keepTurns: turns)
            record { [strategy = conversation.strategy] in try $0.append(.strategyChange(strategy.description)) }
            say("strategy set to \(conversation.strategy)")
        } catch {
            warn("\(error)")
        }
    }

    func setRole(_ argument: String) {
        guard let roles else { return warn("no prompt directory found") }
        guard !argument.isEmpty else {
            return say("role: \(options.role ?? "(custom system prompt)"); available: \(roles.names.joined(separator: ", "))")
        }
        do {
            conversation.systemPrompt = try roles.prompt(named: argument)
            options.role = argument
            record { [system = conversation.systemPrompt] in try $0.append(.systemChange(role: argument, systemPrompt: system)) }
            say("role set to \(argument)")
        } catch {
            warn("\(error)")
        }
    }

    func setRedaction(_ argument: String) {
        switch argument.lowercased() {
        case "":
            let active = outbound.redacts(endpoint: client.endpoint)
            say("redaction: \(outbound.mode.rawValue) (\(active ? "on" : "off") for \(client.endpoint)); \(outbound.redactor.secretCount) distinct secrets redacted so far")
        case "on": outbound.mode = .on; say("redaction on")
        case "off": outbound.mode = .off; say("redaction off: secrets will be sent as typed")
        case "auto", "automatic": outbound.mode = .automatic; say("redaction automatic: on for remote providers")
        default: return warn("usage: /redact [on|off|auto]")
        }
        // A resumed session comes back with the mode chosen last.
        record { [mode = outbound.mode] in try $0.append(.settingsChange(baseURL: nil, redaction: mode.rawValue)) }
    }

    /// Asks the last question again: resends an unanswered question, or repeats the last one.
    func retry() async {
        guard let lastQuestion = conversation.messages.last(where: { $0.role == .user }) else {
            return warn("nothing to retry yet")
        }
        if conversation.messages.last?.role == .user {
            await answerPendingQuestionCancellably()
        } else {
            await ask(questionForRetry(lastQuestion))  // with its evidence again (ChatSession+Evidence)
        }
    }
}
