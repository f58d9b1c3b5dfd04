public import ConversationCore
public import LLMClients
import Safeguards
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
        public var provider: Provider
        public var model: String
        public var maxTokens: Int
        public var contextWindow: Int
        public var temperature: Double?
        /// The role the system prompt came from, for the banner and the journal (`nil` for --system).
        public var role: String?
        /// Whether the analyst set the answer limit; if not, it is sized to the window.
        public var maxTokensChosen: Bool
        /// The lifetime of Anthropic cache entries (`--cache-ttl 5m|1h`).
        public var cacheTTL: PromptCaching.TTL
        /// Whether requests carry prompt-caching hints and views keep their cut between turns
        /// (off only to measure the naive view).
        public var promptCaching: Bool
        /// The truncation low-water mark as a fraction of the budget (`nil`: ``ContextBudget/defaultLowWaterFraction``).
        public var lowWaterFraction: Double?

        public init(
            provider: Provider = .local, model: String, maxTokens: Int, contextWindow: Int,
            temperature: Double? = nil, role: String? = nil, maxTokensChosen: Bool = true,
            cacheTTL: PromptCaching.TTL = .fiveMinutes, promptCaching: Bool = true, lowWaterFraction: Double? = nil
        ) {
            self.maxTokensChosen = maxTokensChosen
            self.provider = provider
            self.model = model
            self.maxTokens = maxTokens
            self.contextWindow = contextWindow
            self.temperature = temperature
            self.role = role
            self.cacheTTL = cacheTTL
            self.promptCaching = promptCaching
            self.lowWaterFraction = lowWaterFraction
        }
    }

    public internal(set) var conversation: Conversation
    public var options: Options
    let client: any LLMClient
    let input: any InputSource
    let output: TerminalOutput
    let errors: TerminalOutput
    public internal(set) var estimator: TokenEstimator
    let interrupts: InterruptMonitor?
    let roles: RoleLibrary?
    /// Redaction and fencing of what leaves the machine.
    public var outbound: OutboundFilter
    /// The session journal (nothing typed is lost), and the store it lives in.
    public var journal: SessionJournal?
    public var sessions: SessionStore?
    /// The server's answer about the context window, asked without holding up the first prompt
    /// (``ContextWindowProbe`` says when); settled before the first turn or command.
    public var contextWindowProbe: ContextWindowProbe?
    /// The embedded llama.cpp server, when this session started or reused one: started again if it dies.
    public var localServer: LocalModelServer?
    /// The endpoint a journal records for this session (`nil` for the embedded server, whose port
    /// changes): a `/new` journal starts with it, so its `--resume` goes to the same place.
    public var journaledBaseURL: String?
    /// A journal line could not be written (reported once).
    var journalFailed = false
    /// A flush of the journal failed (reported once; the lines are written regardless).
    var journalSyncFailed = false
    /// Answers as the model sent them, or rendered Markdown (a terminal without `--plain`).
    public var answerRendering: AnswerRendering = .plain
    /// What the session's answers used, for `/tokens`.
    public internal(set) var usage = SessionUsage()
    /// A key that stays the same for the whole session, a resumed one included (OpenAI
    /// `prompt_cache_key`, which routes the session's requests to the same cache): derived one way
    /// from the journaled fence key, so it names the case without revealing the key.
    var cacheSessionKey: String {
        "incident-repl-" + String(Digest.sha256Hex(Array("prompt-cache-key:\(outbound.fenceKey)".utf8)).prefix(16))
    }
    /// When the summariser may try again after a failure.
    var summaryBackoff = SummaryBackoff()
    /// Turns that failed; a scripted run exits non-zero if any did.
    public internal(set) var failedTurns = 0
    var shouldQuit = false
    /// The last context notice shown, so an unchanged one is not repeated every turn.
    var lastNotice: String?
    /// Evidence files waiting for the next question, and those sent (`/file`, `--file`).
    public internal(set) var evidence = EvidenceLedger()

    public init(
        conversation: Conversation, options: Options, client: any LLMClient, input: any InputSource,
        output: TerminalOutput, errors: TerminalOutput, interrupts: InterruptMonitor? = nil,
        outbound: OutboundFilter = OutboundFilter(), roles: RoleLibrary? = nil
    ) {
        self.conversation = conversation
        self.options = options
        self.client = client
        self.input = input
        self.output = output
        self.errors = errors
        self.interrupts = interrupts
        self.outbound = outbound
        self.roles = roles
        estimator = TokenEstimator(key: TokenEstimator.key(provider: options.provider.rawValue, model: options.model))
    }

    var budget: ContextBudget {
        ContextBudget(contextWindow: options.contextWindow, reservedForAnswer: options.maxTokens,
                      lowWaterFraction: options.lowWaterFraction)
    }

    /// Runs until `quit`, `exit`, Ctrl-D or the end of the transcript.
    public func run() async {
        // \u{1}…\u{2} tell libedit that the colour codes take no room on screen.
        let prompt = output.usesColor ? "\u{1}\u{1B}[1;36m\u{2}ir>\u{1}\u{1B}[0m\u{2} " : "ir> "
        while !shouldQuit {
            let event = await input.next(prompt: input.isScripted ? "" : prompt)
            switch event {
            case .endOfInput:
                if !input.isScripted { output.write("\n") }
                await finishJournal()
                return
            case .interrupt:
                output.write("^C\n")
                errors.write(errors.dim("(line cleared; type quit or press Ctrl-D to leave)") + "\n")
            case .cancelled(let notice):
                errors.write(errors.dim(notice) + "\n")
            case .line(let line):
                let text = line.trimmingSpaces()
                if text.isEmpty { continue }
                if Self.isQuitWord(text) {
                    echo(line)
                    await finishJournal()
                    return
                }
                if Self.isCommand(text) {
                    echo(line)
                    await perform(command: text)
                } else {
                    await ask(line)
                }
            }
            if interrupts?.quitRequested == true { break }
        }
        await finishJournal()
    }

    /// Waits until the journal is on disk, and reports a flush that failed meanwhile.
    func finishJournal() async {
        warnAboutUnsentEvidence()
        guard let journal else { return }
        await journal.waitUntilDurable()
        reportSyncFailure(of: journal)
    }

    /// `quit` or `exit`, in any case.
    static func isQuitWord(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "quit" || lower == "exit"
    }

    /// Whether a line is a command: one line starting with `/` whose first word is a known command,
    /// or a `/word` that does not look like a path (no second `/`, no `.`). Anything else
    /// (`/var/log/auth.log shows 40 failed logins`) is a question.
    static func isCommand(_ text: String) -> Bool {
        guard text.hasPrefix("/"), !text.contains("\n") else { return false }
        let word = String(text.prefix { $0 != " " && $0 != "\t" })
        if commands.contains(where: { $0.name == word }) { return true }
        return !word.dropFirst().contains("/") && !word.contains(".")
    }

    /// One exchange: append the question, stream the answer, append it.
    public func ask(_ typed: String) async {
        // Invisible characters (tag-character instructions, zero-width and bidi marks…) are made
        // visible before anything is kept or sent: the model reads what the analyst can see.
        let question = revealed(typed)
        guard appendQuestion(question) else { return }  // with any staged evidence (ChatSession+Evidence)
        echo(question)  // after the journal: whatever the transcript shows as asked is on disk
        await answerPendingQuestionCancellably()
    }

    /// ``answerPendingQuestion()`` with Ctrl-C armed for the whole turn: during the waits before the
    /// answer streams (the context-window probe, a summary, an exact token count) it cancels the
    /// turn; while the answer streams, ``stream(_:)`` arms its own, innermost, cancellation.
    func answerPendingQuestionCancellably() async {
        let turn = Task { await self.answerPendingQuestion() }
        interrupts?.arm { turn.cancel() }
        await turn.value
        interrupts?.disarm()
    }

    /// In a scripted transcript, repeats the input so stdout reads as a transcript.
    func echo(_ line: String) {
        guard input.isScripted else { return }
        output.write("You: ")
        output.writeUntrusted(line)
        output.finishUntrusted()
        output.write("\n")
    }

    /// Takes the server's context window once the launch-time probe has answered, and says where
    /// the window in use comes from. Without a probe the window is already final.
    func settleContextWindow() async {
        guard let probe = contextWindowProbe else { return }
        contextWindowProbe = nil
        let answer = await probe.value()
        if Task.isCancelled, answer == nil {
            // Ctrl-C while waiting: the window is asked for again next time, not guessed for good.
            contextWindowProbe = ContextWindowProbe(startingNow: false) { [client, model = options.model] in
                try? await client.contextWindow(model: model)
            }
            return
        }
        var source: String
        if let reported = answer {
            options.contextWindow = reported
            source = "reported by the server"
        } else if ModelCatalog.contextWindow(for: options.model) != nil {
            source = "published for \(options.model)"
        } else {
            source = "a default for an unknown model; --context-window sets it"
        }
        // Ollama allocates the whole window for every request: a model's published maximum
        // (often 128k) would take gigabytes and minutes; only --context-window asks for more.
        if options.provider == .ollama, options.contextWindow > OllamaFormat.defaultContextWindow {
            options.contextWindow = OllamaFormat.defaultContextWindow
            source += "; capped at \(OllamaFormat.defaultContextWindow) for ollama, --context-window sets more"
        }
        errors.write(errors.dim("context: \(options.contextWindow) tokens (\(source))") + "\n")
        fitAnswerReserveToWindow()
    }

    /// Sends the conversation, which ends with the analyst's question, and records the answer.
    func answerPendingQuestion() async {
        await settleContextWindow()
        _ = await restartLocalServerIfStopped()
        if conversation.strategy == .summarise { await summariseIfDue() }
        var retriedOverflow = false
        var restartedServer = false
        while true {
            // `view` is what is sent: after a near-limit rebuild, the rebuilt view, so that the
            // estimator learns from (and the overflow checks compare with) what actually left.
            var view: ContextView
            do {
                view = try viewToSend()
            } catch {
                reportFailure("\(error)")
                return
            }
            var request = makeRequest(for: view)
            if view.isNearLimit, let exact = try? await client.countTokens(request) {
                // Near the limit the estimate is not good enough: ask the provider, learn, rebuild.
                estimator.calibrate(estimatedInput: view.estimatedTokens, reportedInput: exact)
                if exact > budget.available, let rebuilt = try? viewToSend() {
                    report(notice: rebuilt.notice)
                    request = makeRequest(for: rebuilt, announce: false)
                    view = rebuilt
                } else {
                    report(notice: view.notice)
                }
            } else {
                report(notice: view.notice)
            }

            if Task.isCancelled {
                errors.write(errors.dim("(stopped before the answer started; your question is kept, /retry sends it)") + "\n")
                if input.isScripted { failedTurns += 1 }
                return
            }
            let outcome = await stream(request)
            if outcome.failure != nil, outcome.answer.isEmpty, !restartedServer, await restartLocalServerIfStopped() {
                restartedServer = true
                continue
            }
            if let failure = outcome.failure as? LLMClientError, case .provider(let details) = failure,
               details.isContextOverflow, outcome.answer.isEmpty, !retriedOverflow {
                retriedOverflow = true
                let counts = details.overflowCounts
                estimator.recordOverflow(sentEstimate: view.estimatedTokens, reportedPromptTokens: counts?.prompt, limit: counts?.limit)
                record { [estimator] in try $0.append(.estimator(estimator)) }
                errors.write(errors.dim("context: \(client.provider) says the conversation does not fit; rebuilding the view and retrying once") + "\n")
                continue
            }
            if outcome.failure == nil, options.provider == .ollama, let reported = outcome.usage.inputTokens,
               view.estimatedTokens > budget.available / 2, Double(reported) < Double(view.estimatedTokens) * 0.6,
               !retriedOverflow, reportsWholePrompt(outcome.usage, view: view) {
                // Ollama truncates silently; a prompt count far below what was sent means it did.
                errors.write(errors.dim("context: ollama reported \(reported) prompt tokens for about \(view.estimatedTokens) sent; it truncated silently") + "\n")
            }
            record(outcome, view: view)
            return
        }
    }

    /// The view this turn sends. With prompt caching on, the conversation keeps the view's cut
    /// (truncation with hysteresis); off, every view is the longest suffix that fits (the naive view).
    func viewToSend() throws(ConversationError) -> ContextView {
        guard options.promptCaching else {
            var naive = budget
            naive.lowWaterFraction = 1
            return try conversation.makeView(budget: naive, estimator: estimator)
        }
        let view = try conversation.advanceView(budget: budget, estimator: estimator)
        if !view.extendsPreviousPrefix { record { try $0.append(.window(view.window)) } }
        return view
    }

    /// How this session asks providers to cache the prompt's prefix.
    var caching: PromptCaching {
        options.promptCaching
            ? PromptCaching(ttl: options.cacheTTL, sessionKey: cacheSessionKey) : .disabled
    }

    /// The request for a view: redacted and fenced by the outbound filter.
    func makeRequest(for view: ContextView, announce: Bool = true) -> ChatRequest {
        let filtered = filterForSending(view)
        if announce, let notice = filtered.notice { errors.write(errors.dim(notice) + "\n") }
        return ChatRequest(
            model: options.model, system: filtered.system, systemContext: filtered.systemContext,
            messages: filtered.messages,
            maxTokens: options.maxTokens, temperature: options.temperature, contextWindow: options.contextWindow,
            caching: caching
        )
    }

    /// Filters a view through ``outbound`` and journals the redactor when it numbered new secrets,
    /// so a resumed session gives them the same placeholders.
    func filterForSending(_ view: ContextView) -> OutboundFilter.Filtered {
        let known = outbound.redactor.secretCount
        let filtered = outbound.filter(view, endpoint: client.endpoint)
        if outbound.redactor.secretCount != known {
            record { [redactor = outbound.redactor] in try $0.append(.redactor(redactor)) }
        }
        return filtered
    }

    /// Whether a usage report's input count is the whole prompt. Ollama servers that report no
    /// cache count may leave the cached prefix out of `prompt_eval_count`: when the view extended
    /// the previous request and the count is far below the estimate, that is a cache hit, which
    /// must neither teach the estimator nor pass for a silent truncation.
    func reportsWholePrompt(_ usage: TokenUsage, view: ContextView) -> Bool {
        guard options.provider == .ollama, usage.cacheReadTokens == nil, view.extendsPreviousPrefix,
              let reported = usage.inputTokens else { return true }
        return Double(reported) >= Double(view.estimatedTokens) * 0.6
    }

    func report(notice: String?) {
        // Said when it changes, not again on every turn while the view is cut the same way.
        guard let notice, notice != lastNotice else { return }
        lastNotice = notice
        errors.write(errors.dim(notice) + "\n")
        record { try $0.append(.truncation(notice)) }
    }

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

    /// Folds the oldest exchanges into the running summary when the strategy asks for it.
    ///
    /// A summary that was cut off at the answer limit, empty, failed or cancelled (Ctrl-C) never
    /// replaces the previous one; the fold then backs off (``SummaryBackoff``), saying so once, and
    /// the view drops the oldest turns until the next attempt. Pasted text goes to the summariser
    /// fenced as untrusted data, as in chat. A model that refuses `temperature: 0` is asked again
    /// without a temperature.
    func summariseIfDue() async {
        guard let plan = conversation.summaryPlan(budget: budget, estimator: estimator) else { return }
        guard summaryBackoff.mayAttempt() else { return }
        let hint = interrupts != nil && !input.isScripted ? " (Ctrl-C skips)" : ""
        errors.write(errors.dim("context: summarising \(plan.messages.count) older messages…\(hint)") + "\n")
        let system = ((try? roles?.text(of: "summarise")) ?? nil) ?? ""
        let known = outbound.redactor.secretCount
        // Pasted text goes to the summariser fenced exactly as in chat (same per-session nonces).
        let prompt = plan.prompt { [key = outbound.fenceKey] text in
            OutboundFilter.containsLineBreak(text)
                ? OutboundFilter.fenced(text, nonce: OutboundFilter.nonce(for: text, key: key)) : text
        }
        let request = ChatRequest(
            model: options.model, system: outbound.filter(text: system, endpoint: client.endpoint),
            messages: [.user(outbound.filter(text: prompt, endpoint: client.endpoint))],
            maxTokens: min(options.maxTokens, max(64, plan.targetTokens)), temperature: 0, caching: caching
        )
        if outbound.redactor.secretCount != known {
            record { [redactor = outbound.redactor] in try $0.append(.redactor(redactor)) }
        }
        let problem: String
        switch await requestSummary(request) {
        case .success(let response):
            let text = response.text.trimmingSpaces()
            if response.stopReason?.kind == .maxTokens {
                problem = "the summary was cut off at the answer limit, so the previous one stays"
            } else if text.isEmpty {
                problem = "the model wrote an empty summary"
            } else {
                do {
                    try conversation.recordSummary(text, covering: plan.coversThroughMessageID)
                    summaryBackoff.recordSuccess()
                    record { try $0.append(.summary(.init(text: text, coversThroughMessageID: plan.coversThroughMessageID))) }
                    return
                } catch {
                    problem = "\(error)"
                }
            }
        case .failure(let error):
            let cancelled = (error as? LLMClientError) == .cancelled || error is CancellationError
            // The error carries the provider's body: untrusted, like everything it sends.
            problem = cancelled ? "summarising was cancelled" : "the summary failed (\(OutputSanitizer.sanitize("\(error)")))"
        }
        let announce = summaryBackoff.recordFailure()
        if announce {
            errors.write(errors.dim(
                "context: \(problem); dropping the oldest turns instead, next attempt in "
                    + "\(summaryBackoff.turnsToSkip + 1) turns") + "\n")
        }
    }

    /// Sends a summary request, cancellable with Ctrl-C, retried once without a temperature when the
    /// model refuses one (reasoning models accept only their default).
    func requestSummary(_ request: ChatRequest) async -> Result<ChatResponse, any Error> {
        let client = self.client
        let task = Task { () throws -> ChatResponse in
            var response: ChatResponse
            do {
                response = try await client.collect(request)
            } catch let error as LLMClientError where request.temperature != nil && Self.refusesTemperature(error) {
                var retry = request
                retry.temperature = nil
                response = try await client.collect(retry)
            }
            // A cancelled stream simply ends; it is not a summary.
            if Task.isCancelled { throw LLMClientError.cancelled }
            return response
        }
        interrupts?.arm { task.cancel() }
        defer { interrupts?.disarm() }
        do {
            return .success(try await task.value)
        } catch {
            return .failure(error)
        }
    }

    /// Whether a provider refused the request's `temperature` (a 400 that names it).
    static func refusesTemperature(_ error: LLMClientError) -> Bool {
        guard case .provider(let failure) = error, failure.status == 400 else { return false }
        return failure.message.lowercased().contains("temperature")
    }

    func reportFailure(_ message: String) {
        failedTurns += 1
        errors.write(errors.red("error: "))
        errors.writeUntrustedLine(message)
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

/// What one streamed answer produced, including how it failed.
struct StreamOutcome: Sendable {
    var answer = ""
    var usage = TokenUsage()
    var stopReason: StopReason?
    var failure: (any Error)?
    /// A streamed piece of the answer that could not be journaled (the whole answer is journaled after).
    var journalFailure: (any Error)?
    var firstToken: Duration?
    var total: Duration = .zero

    /// The dimmed line after an answer: tokens in (and how many were read from the provider's
    /// cache), out, time to first token, total time, e.g. `[2,310 in (2,048 cached) · 212 out · …]`.
    var footer: String {
        var input = (usage.inputTokens.map(\.grouped) ?? "?") + " in"
        if let read = usage.cacheReadTokens, read > 0 { input += " (\(read.grouped) cached)" }
        if let written = usage.cacheWriteTokens, written > 0 { input += " (\(written.grouped) written to the cache)" }
        let tokens = "\(input) · \(usage.outputTokens.map(\.grouped) ?? "?") out"
        let first = firstToken.map { "first token \(ChatSession.seconds($0)) s" } ?? "no tokens"
        return "[\(tokens) · \(first) · total \(ChatSession.seconds(total)) s]"
    }
}
