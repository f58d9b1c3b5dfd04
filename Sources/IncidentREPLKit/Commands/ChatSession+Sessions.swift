#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
import LLMClients
import Safeguards

extension ChatSession {
    /// `/new [NAME]`: a fresh conversation in a session of its own, so that a resumed or exported
    /// session is one conversation. Without a journal, only the conversation starts afresh.
    func startNewConversation(named requested: String) async {
        guard let sessions, let previous = journal else {
            conversation = Conversation(systemPrompt: conversation.systemPrompt, strategy: conversation.strategy)
            outbound = OutboundFilter(mode: outbound.mode, fenceKey: outbound.fenceKey)
            evidence = EvidenceLedger()
            return say("started a fresh conversation; the model no longer sees the previous one")
        }
        let next: SessionJournal
        do {
            next = try sessions.create(named: requested.isEmpty ? nil : requested, start: .init(
                provider: options.provider.rawValue, model: options.model, role: options.role,
                systemPrompt: conversation.systemPrompt, strategy: conversation.strategy.description,
                baseURL: journaledBaseURL, redaction: outbound.mode.rawValue, fenceKey: outbound.fenceKey
            ))
        } catch {
            return warn("\(error); still in session \(previous.name)")
        }
        await previous.waitUntilDurable()  // what it holds is on disk before it is let go
        reportSyncFailure(of: previous)
        conversation = Conversation(systemPrompt: conversation.systemPrompt, strategy: conversation.strategy)
        outbound = OutboundFilter(mode: outbound.mode, fenceKey: outbound.fenceKey)
        evidence = EvidenceLedger()
        journal = next
        summaryBackoff = SummaryBackoff()
        lastNotice = nil
        journalFailed = false
        journalSyncFailed = false
        say("started a fresh conversation in session \(next.name); the model no longer sees the previous one "
            + "(/resume \(previous.name) goes back to it)")
    }

    /// `/export [--redact | --no-redact] [--force] [FILE]`: Markdown incident notes of this session.
    /// Redacted by default when this session redacts what it sends (or has redacted anything).
    /// Without FILE (or with a bare file name) the notes go to the notes folder
    /// (``IncidentNotes/notesDirectory(environment:)``); `~` is the home directory; an existing
    /// file is replaced only with `--force`. The absolute path is printed.
    func export(_ argument: String) {
        guard let sessions, let journal else { return warn("sessions are not being journaled, nothing to export") }
        var rest = Substring(argument)
        var requested: Bool?
        var force = false
        while rest.hasPrefix("-") {
            let flag = rest.prefix { $0 != " " }
            switch flag {
            case "--redact": requested = true
            case "--no-redact": requested = false
            case "--force": force = true
            default: return warn("usage: /export [--redact | --no-redact] [--force] [FILE]")
            }
            rest = Substring(rest.dropFirst(flag.count).trimmingSpaces())
        }
        let redacting = requested ?? usedRedaction
        do {
            let path = try IncidentNotes.destination(
                for: String(rest), sessionName: journal.name, environment: ProcessInfo.processInfo.environment,
                currentDirectory: IncidentNotes.currentDirectory()
            )
            let session = try sessions.load(journal.name)
            let chain = try sessions.verify(journal.name)
            let count = try IncidentNotes.export(
                session, facts: conversation.facts.summaryLines, redactor: redacting ? outbound.redactor : nil, to: path,
                journal: chain, replacing: force
            )
            if redacting {
                say("incident notes written to \(path), redacted (\(count) distinct secret\(count == 1 ? "" : "s") replaced)")
            } else {
                say("incident notes written to \(path), not redacted: secrets appear as typed (/export --redact replaces them)")
            }
            if let hash = chain.finalHash { say("final chain hash: sha256:\(hash)") }
        } catch {
            warn("\(error)")
        }
    }

    /// Whether this session redacts what it sends, or has redacted anything so far.
    var usedRedaction: Bool {
        outbound.redacts(endpoint: client.endpoint) || outbound.redactor.secretCount > 0
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
}
