import ConversationCore
import LLMClients
import Safeguards
#if canImport(Glibc)
import Glibc
#endif

/// Streaming one answer to the terminal through the renderer and the sanitizer.
extension ChatSession {
    /// Streams one answer to the terminal; Ctrl-C cancels it.
    func stream(_ request: ChatRequest) async -> StreamOutcome {
        let printer = AnswerPrinter(output: output, rendering: answerRendering, label: input.isScripted ? "Assistant: " : "")
        let stream = client.stream(request)
        let errors = self.errors, journal = self.journal
        let spinner = (!input.isScripted && errors.isTerminal) ? Spinner(output: errors) : nil
        let started = ContinuousClock.now
        let task = Task { () -> StreamOutcome in
            var outcome = StreamOutcome()
            // Deltas reach the journal in batches (64 KiB or 100 ms), so that a killed process keeps
            // nearly all of a partial answer without one journal line per network read.
            var unjournaled = ""
            var lastJournaled = started
            do {
                for try await event in stream {
                    switch event {
                    case .text(let delta):
                        if outcome.firstToken == nil {
                            outcome.firstToken = ContinuousClock.now - started
                            spinner?.stop()
                        }
                        outcome.answer += delta
                        printer.write(delta)
                        if let journal {
                            unjournaled += delta
                            let now = ContinuousClock.now
                            if unjournaled.utf8.count >= 65536 || now - lastJournaled >= .milliseconds(100) {
                                do {
                                    try journal.recordAnswerDelta(unjournaled)
                                } catch {
                                    outcome.journalFailure = outcome.journalFailure ?? error
                                }
                                unjournaled = ""
                                lastJournaled = now
                            }
                        }
                    case .usage(let reported):
                        outcome.usage = outcome.usage.merging(reported)
                    case .finished(let reason):
                        outcome.stopReason = reason
                    case .promptProgress(let processed, let total, _):
                        // Bytes arrive while the server reads the prompt, so the stall timeout only
                        // counts real silence; the analyst sees how far it is.
                        spinner?.showPromptProgress(processed: processed, total: total)
                    case .retrying(let notice):
                        spinner?.stop()
                        errors.write(errors.dim(Self.describe(notice)) + "\n")
                    }
                }
                // A cancelled stream simply ends; it is not a complete answer.
                if Task.isCancelled { outcome.failure = LLMClientError.cancelled }
            } catch {
                outcome.failure = error
            }
            spinner?.stop()
            outcome.total = ContinuousClock.now - started
            return outcome
        }
        interrupts?.arm { task.cancel() }
        // A Ctrl-C that cancelled the turn just before this answer was armed stops it too.
        let outcome = await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
        interrupts?.disarm()
        printer.finish()
        output.write("\n")
        return outcome
    }

    static func describe(_ notice: RetryNotice) -> String {
        "\(notice.reason) by \(notice.provider), retrying in \(Self.seconds(notice.delay)) s (\(notice.attempt)/\(notice.maxAttempts))"
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let tenths = (Double(seconds) + Double(attoseconds) / 1e18) * 10
        let rounded = tenths.rounded() / 10
        return String(rounded)
    }
}
