import ConversationCore
import LLMClients
import Safeguards
#if canImport(Glibc)
import Glibc
#endif

/// The summarise strategy: folding the oldest exchanges into the running summary.
extension ChatSession {
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
}
