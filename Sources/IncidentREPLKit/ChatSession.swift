public import ConversationCore
public import LLMClients
#if canImport(Glibc)
import Glibc
#endif

/// The read, append, call, append loop.
///
/// Reads a turn, appends it to the conversation, sends the view of the conversation that fits the
/// model's window, streams the answer to the terminal through the sanitizer as it arrives, and
/// appends the answer. A failed turn leaves the conversation valid: a partial answer is kept and
/// marked as interrupted, and the next turn works.
public final class ChatSession: @unchecked Sendable {
    public struct Options: Sendable {
        public var model: String
        public var maxTokens: Int
        public var contextWindow: Int
        public var temperature: Double?

        public init(model: String, maxTokens: Int, contextWindow: Int, temperature: Double? = nil) {
            self.model = model
            self.maxTokens = maxTokens
            self.contextWindow = contextWindow
            self.temperature = temperature
        }
    }

    public private(set) var conversation: Conversation
    public var options: Options
    let client: any LLMClient
    let input: any InputSource
    let output: TerminalOutput
    let errors: TerminalOutput
    var estimator = TokenEstimator()
    /// Redaction and fencing of what leaves the machine.
    public var outbound: OutboundFilter
    let interrupts: InterruptMonitor?
    /// Turns that failed; a scripted run exits non-zero if any did.
    public private(set) var failedTurns = 0

    public init(
        conversation: Conversation, options: Options, client: any LLMClient, input: any InputSource,
        output: TerminalOutput, errors: TerminalOutput, interrupts: InterruptMonitor? = nil,
        outbound: OutboundFilter = OutboundFilter()
    ) {
        self.outbound = outbound
        self.conversation = conversation
        self.options = options
        self.client = client
        self.input = input
        self.output = output
        self.errors = errors
        self.interrupts = interrupts
    }

    var budget: ContextBudget {
        ContextBudget(contextWindow: options.contextWindow, reservedForAnswer: options.maxTokens)
    }

    /// Runs until `quit`, `exit`, Ctrl-D or the end of the transcript.
    public func run() async {
        let prompt = output.usesColor ? "\u{1B}[1;36mir>\u{1B}[0m " : "ir> "
        while true {
            let event = await input.next(prompt: input.isScripted ? "" : prompt)
            switch event {
            case .endOfInput:
                if !input.isScripted { output.write("\n") }
                return
            case .interrupt:
                errors.write(errors.dim("(type quit or press Ctrl-D to leave)") + "\n")
                continue
            case .line(let line):
                let text = line.trimmingSpaces()
                if text.isEmpty { continue }
                if text == "quit" || text == "exit" || text == "/quit" || text == "/exit" {
                    if input.isScripted { output.write("You: \(text)\n") }
                    return
                }
                if input.isScripted {
                    output.write("You: ")
                    output.writeUntrusted(line)
                    output.finishUntrusted()
                    output.write("\n")
                }
                await ask(line)
            }
        }
    }

    /// One exchange: append the question, stream the answer, append it.
    func ask(_ question: String) async {
        conversation.appendUser(question)
        let view: ContextView
        do {
            view = try conversation.makeView(budget: budget, estimator: estimator)
        } catch {
            reportFailure("\(error)")
            return
        }
        if let notice = view.notice { errors.write(errors.dim(notice) + "\n") }
        let outbound = self.outbound.filter(view, endpoint: client.endpoint)
        if let notice = outbound.notice { errors.write(errors.dim(notice) + "\n") }
        let request = ChatRequest(
            model: options.model, system: outbound.system, messages: outbound.messages,
            maxTokens: options.maxTokens, temperature: options.temperature, contextWindow: options.contextWindow
        )
        output.write(input.isScripted ? "Assistant: " : "")
        let stream = client.stream(request)
        let output = self.output, errors = self.errors
        let task = Task { () -> StreamOutcome in
            var outcome = StreamOutcome()
            do {
                for try await event in stream {
                    switch event {
                    case .text(let delta):
                        outcome.answer += delta
                        output.writeUntrusted(delta)
                    case .usage(let reported):
                        outcome.usage = outcome.usage.merging(reported)
                    case .finished(let reason):
                        outcome.stopReason = reason
                    case .retrying(let notice):
                        errors.write(errors.dim(Self.describe(notice)) + "\n")
                    }
                }
            } catch {
                outcome.failure = error
            }
            return outcome
        }
        interrupts?.arm { task.cancel() }
        let outcome = await task.value
        interrupts?.disarm()
        output.finishUntrusted()
        output.write("\n")
        let answer = outcome.answer
        guard let error = outcome.failure else {
            conversation.appendAssistant(answer)
            if let input = outcome.usage.inputTokens, view.estimatedTokens > 0 {
                estimator.calibrate(estimatedInput: view.estimatedTokens, reportedInput: input)
            }
            if let stopReason = outcome.stopReason, stopReason.isNoteworthy {
                errors.write(errors.dim("(answer stopped: \(stopReason.raw))") + "\n")
            }
            return
        }
        if !answer.isEmpty { conversation.appendAssistant(answer, status: .interrupted) }
        let cancelled = (error as? LLMClientError) == .cancelled || error is CancellationError
        if cancelled {
            errors.write(errors.dim("(answer interrupted; the partial answer is kept)") + "\n")
            if input.isScripted { failedTurns += 1 }
        } else {
            let partial = answer.isEmpty ? "" : " (the partial answer is kept, marked as interrupted)"
            reportFailure("\(error)\(partial)")
        }
    }

    /// What one streamed answer produced, including how it failed.
    struct StreamOutcome: Sendable {
        var answer = ""
        var usage = TokenUsage()
        var stopReason: StopReason?
        var failure: (any Error)?
    }

    private func reportFailure(_ message: String) {
        failedTurns += 1
        errors.write(errors.red("error: "))
        errors.writeUntrustedLine(message)
    }

    static func describe(_ notice: RetryNotice) -> String {
        let seconds = Double(notice.delay.components.seconds) + Double(notice.delay.components.attoseconds) / 1e18
        let rounded = (seconds * 10).rounded() / 10
        return "\(notice.reason) by \(notice.provider), retrying in \(rounded) s (\(notice.attempt)/\(notice.maxAttempts))"
    }
}
