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

    /// Indicator kinds by the words `/facts KIND` takes.
    static let factKinds: [String: Set<Indicator.Kind>] = [
        "ip": [.ipv4, .ipv6, .cidr], "ipv4": [.ipv4], "ipv6": [.ipv6], "cidr": [.cidr], "net": [.ipv4, .ipv6, .cidr],
        "domain": [.domain], "domains": [.domain], "url": [.url], "urls": [.url],
        "email": [.email], "mail": [.email], "e-mail": [.email],
        "hash": [.md5, .sha1, .sha256], "hashes": [.md5, .sha1, .sha256],
        "md5": [.md5], "sha1": [.sha1], "sha-1": [.sha1], "sha256": [.sha256], "sha-256": [.sha256],
        "cve": [.cve], "attack": [.attackTechnique], "technique": [.attackTechnique], "ttp": [.attackTechnique],
        "path": [.filePath], "file": [.filePath], "host": [.host], "hosts": [.host], "user": [.user], "users": [.user],
    ]

    /// `/facts [KIND]`: pins, the analyst's indicators and the model's, where each came from and
    /// which the next request carries.
    func showFacts(_ argument: String) {
        var kinds: Set<Indicator.Kind>?
        if !argument.isEmpty {
            guard let chosen = Self.factKinds[argument.lowercased()] else {
                return warn("usage: /facts [KIND], KIND one of: " + Self.factKinds.keys.sorted().joined(separator: ", "))
            }
            kinds = chosen
        }
        guard !conversation.facts.isEmpty else {
            return say("no case facts yet: indicators are collected as you talk; /pin TEXT adds one")
        }
        let carried: CarriedFacts?
        switch nextView() {
        case .success(let view): carried = conversation.facts.carried(in: view)
        case .failure: carried = nil
        }
        sayUntrusted(conversation.facts.listing(kinds: kinds, carried: carried))
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

    func listSessions() {
        guard let sessions else { return warn("sessions are not being journaled") }
        guard let list = try? sessions.list() else { return warn("cannot read \(sessions.directory)") }
        // A session in which nothing was asked is not worth resuming (this one is listed regardless).
        let worthListing = list.filter { $0.firstQuestion != nil || $0.name == journal?.name }
        guard !worthListing.isEmpty else { return say("no sessions yet") }
        for summary in worthListing {
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
            if replayed.fenceKey == nil {
                // A journal from before fence keys: from now on it resumes with this one.
                record { [key = outbound.fenceKey] in try $0.append(.settingsChange(baseURL: nil, redaction: nil, fenceKey: key)) }
            }
            // Redaction as the session had it, never weaker.
            if let recorded = replayed.redaction.flatMap(OutboundFilter.Mode.init(rawValue:)), recorded != outbound.mode {
                if recorded == .on || (recorded == .automatic && outbound.mode == .off) {
                    outbound.mode = recorded
                    warn("redaction is \(recorded.rawValue) again, as the session had it")
                }
            }
            say("resumed \(name): \(replayed.messageCount) messages")
            if replayed.provider != options.provider.rawValue {
                warn("that session used \(OutputSanitizer.sanitize(replayed.provider)); this one continues with \(options.provider) (restart with --resume \(name) to switch)")
                // The journal says where the case goes from here, so the next --resume goes there too.
                record { [provider = options.provider.rawValue, model = options.model] in
                    try $0.append(.modelChange(provider: provider, model: model))
                }
            }
            record { [baseURL = journaledBaseURL, mode = outbound.mode.rawValue, key = outbound.fenceKey] in
                try $0.append(.settingsChange(baseURL: baseURL, redaction: mode, fenceKey: key))
            }
            summaryBackoff = SummaryBackoff()
            lastNotice = nil
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
        // Placeholders keep their numbers, and nothing filtered for the previous case is reused.
        outbound.adopt(replayed.redactor ?? SecretRedactor())
        if let fenceKey = replayed.fenceKey { outbound.adopt(fenceKey: fenceKey) }
        evidence = EvidenceLedger(attached: replayed.evidence)
        estimator.key = TokenEstimator.key(provider: options.provider.rawValue, model: options.model)
        for warning in replayed.warnings { warn("journal: " + OutputSanitizer.sanitize("\(warning)")) }
        if let question = replayed.unansweredQuestion {
            // The question may be a paste: its start is shown inert, like any untrusted text.
            let start = OutputSanitizer.sanitize(String(question.text.prefix(60)))
            warn("the last question was never answered: /retry asks it again (\(start))")
        }
    }

    /// `text` with invisible characters made visible, and one notice line when there were any.
    func revealed(_ text: String) -> String {
        let revealed = InvisibleCharacters.reveal(text)
        if let notice = revealed.notice { warn(OutputSanitizer.sanitize(notice)) }
        return revealed.text
    }

    /// A line for the analyst (sanitized, as every write is).
    func say(_ text: String) {
        output.write(text + "\n")
    }

    /// Text that contains model output or pasted input (``say(_:)`` sanitizes just the same: every
    /// write does).
    func sayUntrusted(_ text: String) {
        output.write(text + "\n")
    }

    func warn(_ text: String) {
        errors.write(errors.dim(text) + "\n")
    }
}
