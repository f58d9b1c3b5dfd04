import ConversationCore
import LLMClients
import Safeguards
#if canImport(Glibc)
import Glibc
#endif

/// The journal: every answer and notice recorded, failures reported once and never fatal.
extension ChatSession {
    /// Writes to the journal; a failure is reported once and never ends the session.
    func record(_ write: (SessionJournal) throws -> Void) {
        guard let journal else { return }
        do {
            try write(journal)
        } catch {
            reportJournalFailure(error)
        }
        reportSyncFailure(of: journal)
    }

    /// A journal line that could not be written: said once, the session goes on.
    func reportJournalFailure(_ error: any Error) {
        if !journalFailed { errors.write(errors.red("journal: ") + "\(error); the conversation goes on unsaved\n") }
        journalFailed = true
    }

    /// A flush that failed: the lines are in the file, but not confirmed on disk. Said once.
    func reportSyncFailure(of journal: SessionJournal) {
        guard let failure = journal.takeSyncFailure(), !journalSyncFailed else { return }
        journalSyncFailed = true
        errors.write(errors.red("journal: ") + "\(failure); every line is still written to the file, "
            + "but the disk did not confirm them: a power loss or OS crash could lose part of this session\n")
    }

    /// Appends the answer (whole, or partial and marked interrupted) and tells the analyst what happened.
    func record(_ outcome: StreamOutcome, view: ContextView) {
        if let failure = outcome.journalFailure { reportJournalFailure(failure) }
        let answer = outcome.answer
        let status: Message.Status = outcome.failure == nil ? .complete : .interrupted
        if outcome.failure == nil || !answer.isEmpty {
            conversation.appendAssistant(answer, status: status)
            usage.add(outcome.usage)
            record {
                try $0.recordAnswer(answer, status: status, usage: outcome.usage, firstToken: outcome.firstToken, total: outcome.total,
                                    stopReason: outcome.stopReason)
            }
        }
        guard let error = outcome.failure else {
            if Message.isBlank(answer) {
                // Kept (the history says what happened) but never sent empty: providers reject that.
                let reason = outcome.stopReason.map { " (stop reason: \(OutputSanitizer.sanitize($0.raw)))" } ?? ""
                errors.write(errors.dim(
                    "(the model returned an empty answer\(reason); it is kept in the history and sent as "
                        + "\"\(Message.emptyAnswerPlaceholder)\"; rephrase or /retry)") + "\n")
            }
            if let input = outcome.usage.inputTokens, view.estimatedTokens > 0,
               reportsWholePrompt(outcome.usage, view: view) {
                estimator.calibrate(estimatedInput: view.estimatedTokens, reportedInput: input)
                record { [estimator] in try $0.append(.estimator(estimator)) }
            }
            if let stopReason = outcome.stopReason, stopReason.isNoteworthy {
                // The provider's own word: untrusted like everything else it sends.
                errors.write(errors.dim(Self.describeStop(stopReason, maxTokens: options.maxTokens)) + "\n")
            }
            if !input.isScripted, errors.isTerminal { errors.write(errors.dim(outcome.footer) + "\n") }
            return
        }
        let cancelled = (error as? LLMClientError) == .cancelled || error is CancellationError
        if cancelled {
            errors.write(errors.dim("(answer interrupted; the partial answer is kept, /retry asks again)") + "\n")
            if input.isScripted { failedTurns += 1 }
        } else {
            let partial = answer.isEmpty ? "" : " (the partial answer is kept, marked as interrupted)"
            reportFailure("\(error)\(partial); /retry asks again")
        }
    }
}
