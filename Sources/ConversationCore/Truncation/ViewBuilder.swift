/// Computes a ``ContextView`` (and a ``SummaryPlan``) from a conversation in time that grows
/// with what is sent, not with the history: costs come from cached prefix sums, the cut is found
/// by binary search over exchange starts, and the facts block walks back from the cut only until
/// it is full.
///
/// What gives way, in order, when the budget is tight: old exchanges (per the strategy), then
/// indicators in the facts block (newest mentions kept), then the summary; the system prompt,
/// the pins and the newest user message never do — if they do not fit, building throws.
struct ViewBuilder {
    let conversation: Conversation
    let budget: ContextBudget
    let estimator: TokenEstimator
    /// The budget in raw-estimate units.
    let rawAvailable: Int
    /// The system prompt's raw cost.
    let systemRaw: Int

    /// The most raw tokens the facts block may spend on indicators.
    static let indicatorCapLimit = 4_000

    init(conversation: Conversation, budget: ContextBudget, estimator: TokenEstimator) {
        self.conversation = conversation
        self.budget = budget
        self.estimator = estimator
        self.rawAvailable = estimator.rawCapacity(budget.available)
        self.systemRaw = TokenEstimator.rawEstimate(conversation.systemPrompt) + TokenEstimator.messageOverhead
    }

    private var messageCount: Int { conversation.messages.count }
    private var starts: [Int] { conversation.exchangeStarts }

    // MARK: - The view

    func build() throws(ConversationError) -> ContextView {
        let count = messageCount
        let facts = conversation.facts
        let pinsRaw = facts.pinsOnlyRawTokens
        let lastExchange = starts.count - 1

        // The newest user message (and its answer, if any) must be sent whole.
        var minimalStart = count
        if lastExchange >= 0 {
            var index = count - 1
            while index > starts[lastExchange] && conversation.messages[index].role != .user { index -= 1 }
            minimalStart = index
        }
        let requiredRaw = systemRaw + pinsRaw + conversation.rawTokens(minimalStart..<count)
        guard requiredRaw <= rawAvailable else {
            throw .contextTooSmall(required: estimator.scaled(requiredRaw), available: budget.available)
        }

        // Where the strategy lets the view begin.
        var lowestExchange = 0
        // The oldest exchange a kept window may still begin at (last-n lets its window grow to
        // ``TruncationStrategy/lastNCeiling(keep:)`` exchanges between events).
        var lowestKeptExchange = 0
        var summaryRaw = 0
        var usedSummary: ConversationSummary?
        var summaryTooLarge = false
        switch conversation.strategy {
        case .dropOldest:
            break
        case .lastN(let keep):
            lowestExchange = max(0, starts.count - max(1, keep))
            lowestKeptExchange = max(0, starts.count - TruncationStrategy.lastNCeiling(keep: keep))
        case .summarise:
            if let summary = conversation.summary {
                if requiredRaw + summary.rawTokens <= rawAvailable {
                    usedSummary = summary
                    summaryRaw = summary.rawTokens
                    lowestExchange = firstExchange(atOrAfter: summary.coversThroughMessageID + 1)
                    lowestKeptExchange = lowestExchange
                } else {
                    summaryTooLarge = true
                }
            }
        }

        // Where the view begins: the previous window while it still fits (the prompt's prefix
        // stays byte-identical), else a truncation event down to the low-water mark.
        let fixedRaw = systemRaw + summaryRaw
        let indicatorCap = min(rawAvailable / 5, ViewBuilder.indicatorCapLimit)
        let previous = conversation.window.flatMap { $0.strategy == conversation.strategy ? $0 : nil }
        let summaryCover = usedSummary?.coversThroughMessageID
        let lowestKeptStart = lowestKeptExchange <= lastExchange ? starts[lowestKeptExchange] : minimalStart
        var start: Int
        var block: CaseFacts.Block
        var isEvent = true
        let previousStillApplies = previous.map {
            $0.pins == facts.pins && $0.summaryCoversThrough == summaryCover && $0.cut >= lowestKeptStart
                && $0.cut <= minimalStart && isExchangeStart($0.cut)
        } ?? false
        if let previous, previousStillApplies,
            fixedRaw + previous.factsRawTokens + conversation.rawTokens(previous.cut..<count) <= rawAvailable
        {
            start = previous.cut
            block = previous.block
            isEvent = false
        } else {
            // The cut only moves forward while the strategy stays the same.
            var anchor = lowestExchange
            if let previous { anchor = max(anchor, firstExchange(atOrAfter: previous.cut)) }
            // A first view, or a window made stale by a pin, a fold or last-n, starts from the anchor
            // when everything from there fits; a window that outgrew the budget drops to low water.
            let outgrew = previous != nil && previousStillApplies
            if !outgrew, anchor <= lastExchange, starts[anchor] <= minimalStart,
                case let anchored = facts.block(leftOutBefore: starts[anchor], indicatorCap: indicatorCap),
                fixedRaw + anchored.rawTokens + conversation.rawTokens(starts[anchor]..<count) <= rawAvailable
            {
                start = starts[anchor]
                block = anchored
            } else {
                let lowWaterRaw = min(rawAvailable, estimator.rawCapacity(budget.lowWaterMark))
                (start, block) = fittingCut(
                    fromExchange: anchor, limit: lowWaterRaw, fixedRaw: fixedRaw, pinsRaw: pinsRaw,
                    cap: indicatorCap, minimalStart: minimalStart)
                if start == minimalStart && lowWaterRaw < rawAvailable {
                    (start, block) = fittingCut(
                        fromExchange: anchor, limit: rawAvailable, fixedRaw: fixedRaw, pinsRaw: pinsRaw,
                        cap: indicatorCap, minimalStart: minimalStart)
                }
            }
        }
        let messagesRaw = conversation.rawTokens(start..<count)
        let room = rawAvailable - fixedRaw - messagesRaw
        if block.rawTokens > room {
            block = fittingBlock(before: start, room: room, pinsRaw: pinsRaw, cap: indicatorCap)
            isEvent = true
        }
        let window = ViewWindow(
            cut: start, strategy: conversation.strategy, summaryCoversThrough: summaryCover, pins: facts.pins,
            factsText: block.text, factsRawTokens: block.rawTokens, factsIndicatorCount: block.indicatorCount,
            factsOmittedSome: block.omittedSome, events: (conversation.window?.events ?? 0) + (isEvent ? 1 : 0))

        var systemContext = block.text
        if let usedSummary { systemContext += ConversationSummary.heading + usedSummary.text }
        let totalRaw = fixedRaw + block.rawTokens + messagesRaw
        let estimated = estimator.scaled(totalRaw)

        let summarised = usedSummary.map { min($0.coversThroughMessageID + 1, start) } ?? 0
        let dropped = start - summarised
        let droppedTokens = estimator.scaled(conversation.rawTokens(summarised..<start))
        let notice = makeNotice(
            summarised: summarised, summaryTokens: estimator.scaled(summaryRaw), summaryTooLarge: summaryTooLarge,
            dropped: dropped, droppedTokens: droppedTokens, start: start, lowestExchange: lowestExchange,
            block: block)

        let sent = mergedMessages(start..<count)
        let breakdown = TokenBreakdown(
            contextWindow: budget.contextWindow, reservedForAnswer: budget.reservedForAnswer,
            safetyMargin: budget.safetyMargin, available: budget.available, system: estimator.scaled(systemRaw),
            facts: estimator.scaled(block.rawTokens), summary: estimator.scaled(summaryRaw),
            messages: estimator.scaled(messagesRaw), used: estimated, messageCount: sent.count,
            historyCount: count, ratio: estimator.ratio)
        return ContextView(
            systemPrompt: conversation.systemPrompt, systemContext: systemContext, messages: sent, estimatedTokens: estimated, notice: notice, breakdown: breakdown,
            isNearLimit: Double(estimated) >= Double(budget.available) * estimator.nearLimitFraction,
            sentMessageIDs: start..<count, droppedMessageCount: dropped, droppedTokens: droppedTokens,
            summarisedMessageCount: summarised, carriedFactCount: block.indicatorCount,
            window: window, extendsPreviousPrefix: !isEvent)
    }

    /// The first cut, from exchange `low` on, whose messages fit `limit` next to the facts block
    /// they imply (at worst the newest exchange, `minimalStart`), and that block.
    private func fittingCut(
        fromExchange low: Int, limit: Int, fixedRaw: Int, pinsRaw: Int, cap: Int, minimalStart: Int
    ) -> (start: Int, block: CaseFacts.Block) {
        let facts = conversation.facts
        var reserve = pinsRaw
        var start = minimalStart
        var block = facts.block(leftOutBefore: start, indicatorCap: cap)
        for _ in 0..<8 {
            if let exchange = firstFittingExchange(from: low, through: starts.count - 1, limit: limit - fixedRaw - reserve),
                starts[exchange] <= minimalStart
            {
                start = starts[exchange]
            } else {
                start = minimalStart
            }
            block = facts.block(leftOutBefore: start, indicatorCap: cap)
            if block.rawTokens <= reserve { break }
            reserve = block.rawTokens
        }
        return (start, block)
    }

    /// Whether history index `index` begins an exchange.
    private func isExchangeStart(_ index: Int) -> Bool {
        let exchange = firstExchange(atOrAfter: index)
        return exchange < starts.count && starts[exchange] == index
    }

    /// A facts block no larger than `room`, trimming indicators (never pins) until it fits.
    private func fittingBlock(before start: Int, room: Int, pinsRaw: Int, cap: Int) -> CaseFacts.Block {
        var cap = min(cap, max(0, room - pinsRaw))
        var block = conversation.facts.block(leftOutBefore: start, indicatorCap: cap)
        while block.rawTokens > room && cap > 0 {
            cap = max(0, cap - (block.rawTokens - room) - 8)
            block = conversation.facts.block(leftOutBefore: start, indicatorCap: cap)
        }
        return block
    }

    private func makeNotice(
        summarised: Int, summaryTokens: Int, summaryTooLarge: Bool, dropped: Int, droppedTokens: Int, start: Int,
        lowestExchange: Int, block: CaseFacts.Block
    ) -> String? {
        var parts: [String] = []
        if summarised > 0 {
            parts.append("\(summarised.grouped) earlier messages sent as a summary (\(summaryTokens.grouped) tokens)")
        }
        if summaryTooLarge {
            parts.append("the summary was left out because it no longer fits")
        }
        if dropped > 0 {
            let what = "\(dropped.grouped) \(dropped == 1 ? "message" : "messages") (\(droppedTokens.grouped) tokens)"
            let forBudget = "to fit the \(budget.available.grouped)-token budget"
            if case .lastN(let keep) = conversation.strategy {
                let squeezed = lowestExchange < starts.count && start > starts[lowestExchange]
                parts.append("kept at least the last \(keep) \(keep == 1 ? "exchange" : "exchanges") (up to "
                    + "\(TruncationStrategy.lastNCeiling(keep: keep)) between cuts); dropped \(what)"
                    + (squeezed ? " " + forBudget : ""))
            } else {
                parts.append("dropped \(dropped == 1 ? "the oldest" : "\(dropped.grouped) oldest") "
                    + "\(dropped == 1 ? "message" : "messages") (\(droppedTokens.grouped) tokens) \(forBudget)")
            }
        }
        if block.indicatorCount > 0 {
            parts.append("\(block.indicatorCount.grouped) case \(block.indicatorCount == 1 ? "fact" : "facts") from them kept in the system prompt")
        }
        if block.omittedSome {
            parts.append("older case facts left out (see /facts)")
        }
        return parts.isEmpty ? nil : "context: " + parts.joined(separator: "; ")
    }

    // MARK: - The summary plan

    func summaryPlan() -> SummaryPlan? {
        let count = messageCount
        guard !starts.isEmpty else { return nil }
        let summary = conversation.summary
        let cover = summary.map { $0.coversThroughMessageID + 1 } ?? 0
        let firstOpen = firstExchange(atOrAfter: cover)
        let lastExchange = starts.count - 1
        let summaryRaw = summary?.rawTokens ?? 0
        let condense = summaryRaw > rawAvailable * 15 / 100
        let openRaw = firstOpen <= lastExchange ? conversation.rawTokens(starts[firstOpen]..<count) : 0
        let loadRaw = systemRaw + conversation.facts.pinsOnlyRawTokens + summaryRaw + openRaw
        guard loadRaw > estimator.rawCapacity(budget.summariseThreshold) || condense else { return nil }

        // Keep what fits under the low-water mark next to the system prompt, the pins and a summary of
        // the target size (at least the newest exchange), so that several turns pass before the next
        // fold; fold the oldest of the rest, at most half the budget at a time so the summarising
        // request itself fits.
        let half = rawAvailable / 2
        let targetTokens = min(max(budget.available / 10, 128), 2_048)
        let keepLimit = min(rawAvailable, estimator.rawCapacity(budget.lowWaterMark))
            - systemRaw - conversation.facts.pinsOnlyRawTokens - estimator.rawCapacity(targetTokens)
        var keepFrom = lastExchange
        if firstOpen <= lastExchange,
            let fitting = firstFittingExchange(from: firstOpen, through: lastExchange, limit: max(0, keepLimit))
        {
            keepFrom = fitting
        }
        var foldEnd = firstOpen
        if firstOpen < keepFrom {
            foldEnd = firstOpen + 1
            var low = firstOpen + 1
            var high = keepFrom
            while low <= high {
                let middle = (low + high) / 2
                if conversation.rawTokens(starts[firstOpen]..<starts[middle]) <= half {
                    foldEnd = middle
                    low = middle + 1
                } else {
                    high = middle - 1
                }
            }
        }
        guard foldEnd > firstOpen || condense else { return nil }
        let folded = foldEnd > firstOpen ? mergedMessages(starts[firstOpen]..<starts[foldEnd]) : []
        let coversThrough = foldEnd > firstOpen ? starts[foldEnd] - 1 : (summary?.coversThroughMessageID ?? 0)
        return SummaryPlan(
            previousSummary: summary?.text, messages: folded, coversThroughMessageID: coversThrough,
            condense: condense, targetTokens: targetTokens)
    }

    // MARK: - Helpers

    /// The index of the first exchange starting at or after history index `index`.
    private func firstExchange(atOrAfter index: Int) -> Int {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] < index { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// The first exchange in `low...high` whose suffix (to the end of the history) costs at most `limit`.
    private func firstFittingExchange(from low: Int, through high: Int, limit: Int) -> Int? {
        guard low <= high, limit >= 0 else { return nil }
        let count = messageCount
        var lower = low
        var upper = high + 1
        while lower < upper {
            let middle = (lower + upper) / 2
            if conversation.rawTokens(starts[middle]..<count) <= limit { upper = middle } else { lower = middle + 1 }
        }
        return lower <= high ? lower : nil
    }

    /// History messages `range` as sent: runs of one role merged, interrupted answers marked.
    private func mergedMessages(_ range: Range<Int>) -> [Message] {
        let history = conversation.messages
        var result: [Message] = []
        var index = range.lowerBound
        while index < range.upperBound {
            let role = history[index].role
            var end = index + 1
            while end < range.upperBound && history[end].role == role { end += 1 }
            let last = history[end - 1]
            if end == index + 1 {
                result.append(
                    last.status == .complete
                        ? last : Message(id: last.id, role: role, text: last.textForSending, status: last.status))
            } else {
                let text = history[index..<end].map(\.textForSending).joined(separator: "\n\n")
                result.append(Message(id: last.id, role: role, text: text, status: last.status))
            }
            index = end
        }
        return result
    }
}
