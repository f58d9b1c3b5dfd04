import ConversationCore
import LLMClients
import Safeguards
extension ChatSession {
    /// The slash commands, for `/help` and tab completion.
    public static let commands: [(name: String, usage: String)] = [
        ("/help", "this list"),
        ("/new", "start a fresh conversation in a new session: /new [NAME] (the model no longer sees the old one)"),
        ("/history", "the whole conversation so far; /history N: the last N exchanges"),
        ("/context", "exactly what the next call would send, with token counts"),
        ("/tokens", "the context budget and what is used"),
        ("/strategy", "show or set truncation: drop-oldest | last-n [N] | summarise"),
        ("/model", "show or set the model"),
        ("/role", "show or switch the role (a prompt in prompts/)"),
        ("/system", "show or replace the system prompt"),
        ("/facts", "case facts: pins and indicators, where each came from, which are sent: /facts [ip|domain|hash|…]"),
        ("/iocs", "indicators by kind, defanged, with where each came from: /iocs [--live] [KIND] | /iocs export [--format csv|json|stix] FILE"),
        ("/file", "attach evidence to your next question: /file PATH[:FIRST-LAST] [PATH…] [--tail N | --grep PATTERN]; /file lists it"),
        ("/pin", "pin a case fact: /pin TEXT"),
        ("/unpin", "remove pin N: /unpin N"),
        ("/retry", "ask the last question again"),
        ("/redact", "show or set secret redaction: on | off | auto"),
        ("/sessions", "journaled sessions: date, first question, size"),
        ("/resume", "continue a journaled session: /resume NAME"),
        ("/export", "write Markdown incident notes (to the notes folder unless FILE has a /): /export [--redact | --no-redact] [--force] [FILE]"),
        ("/copy", "copy the last (or Nth) code block of the last answer: /copy [N] [--file]"),
        ("/quit", "leave (also quit, exit, Ctrl-D)"),
    ]

    /// Runs one slash command. Unknown commands and bad arguments get one helpful line.
    func perform(command line: String) async {
        let name = String(line.prefix { $0 != " " }).lowercased()
        let argument = String(line.dropFirst(name.count)).trimmingSpaces()
        // Only what shows the window or the view waits for the server's answer about the window
        // (`/retry` settles it as any turn does).
        if ["/context", "/tokens", "/model"].contains(name) { await settleContextWindow() }
        switch name {
        case "/help":
            let width = Self.commands.map(\.name.count).max() ?? 0
            for command in Self.commands {
                say(command.name + String(repeating: " ", count: width - command.name.count + 2) + command.usage)
            }
        case "/quit", "/exit":
            shouldQuit = true
        case "/new":
            await startNewConversation(named: argument)
        case "/history":
            showHistory(argument)
        case "/context":
            showContext()
        case "/tokens":
            switch nextView() {
            case .success(let view): say(view.breakdown.description)
            case .failure(let error):
                // The breakdown still says where the window goes, and why nothing fits.
                let budget = self.budget
                say("budget:   \(budget.available.grouped) of \(budget.contextWindow.grouped) "
                    + "(\(budget.reservedForAnswer.grouped) for the answer, \(budget.safetyMargin.grouped) margin)")
                warn("\(error)")
            }
            for line in usage.report(provider: options.provider, model: options.model, ttl: options.cacheTTL) { say(line) }
        case "/strategy":
            setStrategy(argument)
        case "/model":
            if argument.isEmpty {
                say("model: \(options.model) (\(options.provider), context \(options.contextWindow) tokens)")
            } else {
                options.model = argument
                estimator.key = TokenEstimator.key(provider: options.provider.rawValue, model: argument)
                record { try $0.append(.modelChange(provider: options.provider.rawValue, model: argument)) }
                say("model set to \(argument)")
            }
        case "/role":
            setRole(argument)
        case "/system":
            if argument.isEmpty {
                sayUntrusted(conversation.systemPrompt)
            } else {
                let prompt = revealed(argument)
                conversation.systemPrompt = prompt
                options.role = nil
                record { try $0.append(.systemChange(role: nil, systemPrompt: prompt)) }
                say("system prompt replaced")
            }
        case "/facts":
            showFacts(argument)
        case "/file":
            await attachEvidence(argument)
        case "/iocs":
            indicatorsCommand(argument)
        case "/pin":
            guard !argument.isEmpty else { return warn("usage: /pin TEXT") }
            // A pin is sent with every request: invisible characters are made visible first.
            let pin = revealed(argument)
            conversation.pin(pin)
            record { try $0.append(.pin(pin)) }
            say("pinned: it is sent with every request, whatever is truncated")
        case "/unpin":
            guard let number = Int(argument) else { return warn("usage: /unpin N (see /facts for the numbers)") }
            do {
                try conversation.unpin(at: number - 1)
                record { try $0.append(.unpin(index: number - 1)) }
                say("unpinned \(number)")
            } catch {
                warn("\(error)")
            }
        case "/retry":
            await retry()
        case "/redact":
            setRedaction(argument)
        case "/sessions":
            listSessions()
        case "/resume":
            resume(argument)
        case "/export":
            export(argument)
        case "/copy":
            copyCodeBlock(argument)
        default:
            warn("unknown command \(name); /help lists the commands")
        }
    }
}
