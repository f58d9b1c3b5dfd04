import ConversationCore
import LLMClients
import Safeguards
#if canImport(Glibc)
import Glibc
#endif

/// One turn: the view that fits, the filtered request, the answer and what the analyst is told.
extension ChatSession {
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

    func reportFailure(_ message: String) {
        failedTurns += 1
        errors.write(errors.red("error: "))
        errors.writeUntrustedLine(message)
    }
}
