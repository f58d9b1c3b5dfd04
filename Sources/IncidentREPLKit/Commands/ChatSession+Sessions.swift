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
}
