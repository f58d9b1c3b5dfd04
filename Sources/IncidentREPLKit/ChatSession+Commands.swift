public import ConversationCore
import LLMClients
import Safeguards

extension ChatSession {
    /// The slash commands, for `/help` and tab completion.
    public static let commands: [(name: String, usage: String)] = [
        ("/help", "this list"),
        ("/new", "start a fresh conversation (the model no longer sees the old one)"),
        ("/history", "the whole conversation so far"),
        ("/context", "exactly what the next call would send, with token counts"),
        ("/tokens", "the context budget and what is used"),
        ("/strategy", "show or set truncation: drop-oldest | last-n [N] | summarise"),
        ("/model", "show or set the model"),
        ("/role", "show or switch the role (a prompt in prompts/)"),
        ("/system", "show or replace the system prompt"),
        ("/facts", "case facts: pins and indicators seen"),
        ("/pin", "pin a case fact: /pin TEXT"),
        ("/unpin", "remove pin N: /unpin N"),
        ("/retry", "ask the last question again"),
        ("/redact", "show or set secret redaction: on | off | auto"),
        ("/sessions", "journaled sessions: date, first question, size"),
        ("/resume", "continue a journaled session: /resume NAME"),
        ("/export", "write Markdown incident notes: /export [FILE]"),
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
            conversation = Conversation(systemPrompt: conversation.systemPrompt, strategy: conversation.strategy)
            outbound = OutboundFilter(mode: outbound.mode)
            record { try $0.append(.newConversation) }
            say("started a fresh conversation; the model no longer sees the previous one")
        case "/history":
            showHistory()
        case "/context":
            showContext()
        case "/tokens":
            switch nextView() {
            case .success(let view): say(view.breakdown.description)
            case .failure(let error): warn("\(error)")
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
                conversation.systemPrompt = argument
                options.role = nil
                record { try $0.append(.systemChange(role: nil, systemPrompt: argument)) }
                say("system prompt replaced")
            }
        case "/facts":
            sayUntrusted(conversation.facts.isEmpty ? "no case facts yet: indicators are collected as you talk; /pin TEXT adds one" : conversation.facts.listing)
        case "/pin":
            guard !argument.isEmpty else { return warn("usage: /pin TEXT") }
            conversation.pin(argument)
            record { try $0.append(.pin(argument)) }
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
            export(to: argument)
        default:
            warn("unknown command \(name); /help lists the commands")
        }
    }

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
            let filtered = outbound.filter(view, endpoint: client.endpoint)
            say("── system (\(estimator.estimate(filtered.system)) tokens) ──")
            sayUntrusted(filtered.system)
            for (message, sent) in zip(view.messages, filtered.messages) {
                say("── \(sent.role.rawValue) #\(message.id + 1) (\(estimator.estimate(sent.content)) tokens) ──")
                sayUntrusted(sent.content)
            }
            say("── \(view.estimatedTokens) of \(budget.available) tokens (estimated); \(view.droppedMessageCount) messages left out ──")
        }
    }

    func showHistory() {
        guard !conversation.messages.isEmpty else { return say("no messages yet") }
        for message in conversation.messages {
            let who = message.role == .user ? "You" : "Assistant"
            let mark = message.status == .interrupted ? " (interrupted)" : ""
            say("#\(message.id + 1) \(who)\(mark):")
            sayUntrusted(message.text)
        }
    }

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
        default: warn("usage: /redact [on|off|auto]")
        }
    }

    /// Asks the last question again: resends an unanswered question, or repeats the last one.
    func retry() async {
        guard let lastQuestion = conversation.messages.last(where: { $0.role == .user }) else {
            return warn("nothing to retry yet")
        }
        if conversation.messages.last?.role == .user {
            await answerPendingQuestion()
        } else {
            await ask(lastQuestion.text)
        }
    }

    func listSessions() {
        guard let sessions else { return warn("sessions are not being journaled") }
        guard let list = try? sessions.list() else { return warn("cannot read \(sessions.directory)") }
        guard !list.isEmpty else { return say("no sessions yet") }
        for summary in list {
            let current = summary.name == journal?.name ? " (this session)" : ""
            sayUntrusted(summary.displayLine() + current)
        }
    }

    /// Continues a journaled session in place of this one (same provider client).
    func resume(_ name: String) {
        guard let sessions else { return warn("sessions are not being journaled") }
        guard !name.isEmpty else { return warn("usage: /resume NAME (see /sessions)") }
        do {
            let (replayed, reopened) = try sessions.resume(name)
            adopt(replayed)
            journal = reopened
            say("resumed \(name): \(replayed.messageCount) messages")
            if replayed.provider != options.provider.rawValue {
                warn("that session used \(replayed.provider); this one continues with \(options.provider) (restart with --resume \(name) to switch)")
            }
        } catch {
            warn("\(error)")
        }
    }

    /// Takes over a replayed session's conversation and settings.
    public func adopt(_ replayed: ReplayedSession) {
        conversation = replayed.conversation
        usage = SessionUsage(replaying: replayed.answers.values)
        options.role = replayed.role
        if replayed.provider == options.provider.rawValue { options.model = replayed.model }
        if let saved = replayed.estimator { estimator = saved }
        estimator.key = TokenEstimator.key(provider: options.provider.rawValue, model: options.model)
        for warning in replayed.warnings { warn("journal: \(warning)") }
        if let question = replayed.unansweredQuestion {
            warn("the last question was never answered: /retry asks it again (\(question.text.prefix(60)))")
        }
    }

    func export(to argument: String) {
        guard let sessions, let journal else { return warn("sessions are not being journaled, nothing to export") }
        do {
            let session = try sessions.load(journal.name)
            let path = argument.isEmpty ? IncidentNotes.defaultFileName(for: session) : argument
            try IncidentNotes.export(session, facts: conversation.facts.summaryLines, to: path)
            say("incident notes written to \(path)")
        } catch {
            warn("\(error)")
        }
    }

    /// A line of the client's own.
    func say(_ text: String) {
        output.write(text + "\n")
    }

    /// Text that contains model output or pasted input.
    func sayUntrusted(_ text: String) {
        output.write(OutputSanitizer.sanitize(text) + "\n")
    }

    func warn(_ text: String) {
        errors.write(errors.dim(text) + "\n")
    }
}
