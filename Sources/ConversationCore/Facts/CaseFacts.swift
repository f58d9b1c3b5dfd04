/// The case facts of a conversation: indicators extracted from every message (once, when the
/// message is appended), where each came from (``FactProvenance``), and free text the analyst pinned.
///
/// Only the analyst's facts are carried into requests once their messages are left out: what the
/// analyst typed or pasted, and the pins. An indicator that only the model mentioned is listed
/// separately by `/facts` and carried only once the analyst repeats (or pins) it. When the block
/// must leave facts out, what the analyst typed ranks above what came in pasted logs.
///
/// Bookkeeping is incremental: each indicator remembers the last message that mentions it, and
/// the messages that carry indicators are kept in order, so finding the facts a view leaves out
/// walks back only from the cut and stops when the block is full.
public struct CaseFacts: Sendable, Codable, Equatable {
    /// Free text the analyst pinned with `/pin`, always sent.
    public private(set) var pins: [String]
    /// Every distinct indicator, in order of first mention.
    public private(set) var indicators: [Indicator]
    /// For each entry of ``indicators``, the id of the last message that mentions it.
    public private(set) var lastMentionIDs: [Int]
    /// For each entry of ``indicators``, where it came from.
    public private(set) var provenance: [FactProvenance]

    var positionsByKey: [String: Int]
    var carriers: [Carrier]

    /// A message that mentions indicators, with their positions in ``indicators``.
    struct Carrier: Sendable, Codable, Equatable {
        var messageIndex: Int
        var positions: [Int]
    }

    /// Creates an empty set of facts.
    public init() {
        pins = []
        indicators = []
        lastMentionIDs = []
        provenance = []
        positionsByKey = [:]
        carriers = []
    }

    /// Whether there are neither pins nor indicators.
    public var isEmpty: Bool { pins.isEmpty && indicators.isEmpty }

    /// Whether the indicator at `position` may be carried into requests: the analyst typed or
    /// pasted it. (A model-only indicator the analyst pinned travels in the pin's own text.)
    public func isCarried(_ position: Int) -> Bool { provenance[position].isFromAnalyst }

    mutating func record(_ found: [Indicator], inMessageAt messageIndex: Int, source: FactProvenance.Source) {
        record(found.map { ($0, source) }, inMessageAt: messageIndex)
    }

    /// Records the indicators of one message whose parts came from different sources (a typed
    /// question with evidence files attached); an indicator in several parts counts once, with
    /// every source.
    mutating func record(_ found: [(indicator: Indicator, source: FactProvenance.Source)], inMessageAt messageIndex: Int) {
        guard !found.isEmpty else { return }
        var positions: [Int] = []
        positions.reserveCapacity(found.count)
        var inThisMessage: Set<Int> = []
        for (indicator, source) in found {
            let key = indicator.key
            if let position = positionsByKey[key] {
                lastMentionIDs[position] = messageIndex
                provenance[position].recordMention(inMessage: messageIndex, source: source)
                if inThisMessage.insert(position).inserted { positions.append(position) }
            } else {
                inThisMessage.insert(indicators.count)
                positionsByKey[key] = indicators.count
                positions.append(indicators.count)
                indicators.append(indicator)
                lastMentionIDs.append(messageIndex)
                provenance.append(FactProvenance(firstMessageID: messageIndex, source: source))
            }
        }
        carriers.append(Carrier(messageIndex: messageIndex, positions: positions))
    }

    mutating func pin(_ text: String) { pins.append(text) }

    mutating func unpin(at index: Int) throws(ConversationError) {
        guard pins.indices.contains(index) else { throw .noSuchPin(index: index, count: pins.count) }
        pins.remove(at: index)
    }

    /// A listing for `/facts`: numbered pins, then the analyst's indicators grouped by kind, then
    /// those only the model mentioned (labelled, and not carried).
    public var listing: String { listing(kinds: nil, carried: nil) }

    /// A listing for `/facts`, limited to `kinds` (nil: all), marking with `carried` which
    /// indicators the next request carries (nil: no marks).
    ///
    /// Each indicator shows where it first came from (`typed #3`, `pasted #5`, `model #2`); a
    /// carried one is marked `[sent]`.
    public func listing(kinds: Set<Indicator.Kind>?, carried: CarriedFacts?) -> String {
        var lines: [String] = []
        if kinds == nil {
            if pins.isEmpty {
                lines.append("Pinned: none (add with /pin TEXT)")
            } else {
                lines.append("Pinned (always sent):")
                for (index, pin) in pins.enumerated() { lines.append("  \(index + 1). \(pin)") }
            }
        }
        let wanted = indicators.indices.filter { kinds?.contains(indicators[$0].kind) ?? true }
        let analyst = wanted.filter { provenance[$0].isFromAnalyst }
        let modelOnly = wanted.filter { !provenance[$0].isFromAnalyst }
        if analyst.isEmpty && modelOnly.isEmpty {
            lines.append(kinds == nil ? "Indicators: none yet" : "Indicators of that kind: none")
        }
        if !analyst.isEmpty {
            var heading = "Indicators from the analyst (typed, pasted or in evidence files):"
            if let carried {
                heading += " [sent] = in the next request"
                if carried.leftOut > 0 { heading += "; \(carried.leftOut) left out for space" }
            }
            lines.append(heading)
            lines.append(contentsOf: detailedLines(analyst, carried: carried))
        }
        if !modelOnly.isEmpty {
            lines.append("Mentioned only by the model (unverified; not carried as facts unless you repeat or /pin one):")
            lines.append(contentsOf: detailedLines(modelOnly, carried: nil))
        }
        return lines.joined(separator: "\n")
    }

    /// One line per kind: `  IPv4: 203.0.113.45 (typed #1) [sent], …`.
    private func detailedLines(_ positions: [Int], carried: CarriedFacts?) -> [String] {
        var byKind: [Indicator.Kind: [String]] = [:]
        for position in positions {
            var entry = indicators[position].value + " (" + provenance[position].label + ")"
            if let carried, carried.contains(position) { entry += " [sent]" }
            byKind[indicators[position].kind, default: []].append(entry)
        }
        return Indicator.Kind.allCases.compactMap { kind in
            byKind[kind].map { "  " + kind.label + ": " + $0.joined(separator: ", ") }
        }
    }

    /// One line per pin and per kind of indicator, for incident notes: the analyst's indicators
    /// with where they came from, then those only the model mentioned, labelled as such.
    public var summaryLines: [String] {
        let analyst = indicators.indices.filter { provenance[$0].isFromAnalyst }
        let modelOnly = indicators.indices.filter { !provenance[$0].isFromAnalyst }
        return pins.map { "Pinned: \($0)" }
            + detailedLines(analyst, carried: nil).map { String($0.dropFirst(2)) }
            + detailedLines(modelOnly, carried: nil).map { "Mentioned only by the model (unverified) " + String($0.dropFirst(2)) }
    }

    /// Which indicators a view carries: those in its messages (mentioned at or after `cut`) and
    /// the analyst's ones its facts block holds.
    public func carried(in view: ContextView) -> CarriedFacts {
        let cut = view.sentMessageIDs.lowerBound
        var positions: Set<Int> = []
        var leftOut = 0
        let blockText = view.system.firstRange(of: CaseFacts.indicatorsHeader).map { view.system[$0.upperBound...] } ?? ""
        let blockLines = blockText.split(separator: "\n").prefix { $0.hasPrefix("- ") }
        for position in indicators.indices {
            if lastMentionIDs[position] >= cut {
                positions.insert(position)
            } else if isCarried(position) {
                let indicator = indicators[position]
                let prefix = "- " + indicator.kind.label + ": "
                let listed = blockLines.contains { line in
                    line.hasPrefix(prefix) && line.dropFirst(prefix.count).split(separator: ", ").contains { $0 == indicator.value }
                }
                if listed { positions.insert(position) } else { leftOut += 1 }
            }
        }
        return CarriedFacts(positions: positions, leftOut: leftOut)
    }

    static func groupedLines(_ facts: [Indicator], indent: String) -> [String] {
        var byKind: [Indicator.Kind: [String]] = [:]
        for fact in facts { byKind[fact.kind, default: []].append(fact.value) }
        return Indicator.Kind.allCases.compactMap { kind in
            byKind[kind].map { indent + kind.label + ": " + $0.joined(separator: ", ") }
        }
    }

    // MARK: - The block sent with the system prompt

    /// The case-facts block for a view whose messages start at history index `cut`.
    struct Block: Equatable {
        /// The text to append to the system prompt, starting with a blank line; empty when there is nothing.
        var text: String
        /// Its raw token estimate.
        var rawTokens: Int
        /// How many left-out indicators it carries.
        var indicatorCount: Int
        /// Whether some left-out indicators did not fit under the cap.
        var omittedSome: Bool
    }

    static let header = "\n\n## Case facts from earlier in this investigation"
    static let pinsHeader = "Pinned by the analyst:"
    static let indicatorsHeader = "Indicators the analyst gave in messages no longer sent:"
    static let omittedLine = "(older indicators left out to save space; the analyst can list them with /facts)"

    /// The block holding every pin and the analyst's indicators mentioned only before `cut`, until
    /// their raw estimate reaches `indicatorCap`: the ones the analyst typed first, newest-mentioned
    /// first, then the ones that came in pasted text. Indicators only the model mentioned are never
    /// carried (see ``isCarried(_:)``).
    func block(leftOutBefore cut: Int, indicatorCap: Int) -> Block {
        var typed: [Int] = []
        var pasted: [Int] = []
        var omitted = false
        var spent = TokenEstimator.rawEstimate(CaseFacts.indicatorsHeader) + 2
        var carrierIndex = carriersBefore(cut) - 1
        // Each distinct indicator is decided at most once, at its last mention; once every carried
        // one last mentioned before the cut is decided, older carriers hold nothing new. Without
        // this stop, indicators that recur all investigation long would send the walk back to
        // message 0. Typed indicators are taken as they are met (newest first) and end the walk when
        // they fill the cap; pasted ones wait for the room the typed ones leave.
        var candidates = 0
        for position in lastMentionIDs.indices where lastMentionIDs[position] < cut && provenance[position].isFromAnalyst {
            candidates += 1
        }
        var decided = 0
        walk: while carrierIndex >= 0, decided < candidates {
            let carrier = carriers[carrierIndex]
            for position in carrier.positions
            where lastMentionIDs[position] == carrier.messageIndex && provenance[position].isFromAnalyst {
                decided += 1
                guard provenance[position].wasTyped else {
                    pasted.append(position)
                    continue
                }
                let cost = TokenEstimator.rawEstimate(indicators[position].value) + 1
                if spent + cost > indicatorCap {
                    omitted = true
                    break walk
                }
                spent += cost
                typed.append(position)
            }
            carrierIndex -= 1
        }
        var chosen = typed
        for position in pasted {
            let cost = TokenEstimator.rawEstimate(indicators[position].value) + 1
            if spent + cost > indicatorCap {
                omitted = true
                break
            }
            spent += cost
            chosen.append(position)
        }
        if pins.isEmpty && chosen.isEmpty {
            return Block(text: "", rawTokens: 0, indicatorCount: 0, omittedSome: omitted)
        }
        var lines = [CaseFacts.header]
        if !pins.isEmpty {
            lines.append(CaseFacts.pinsHeader)
            for pin in pins { lines.append("- " + pin) }
        }
        if !chosen.isEmpty {
            chosen.sort()
            lines.append(CaseFacts.indicatorsHeader)
            lines.append(contentsOf: CaseFacts.groupedLines(chosen.map { indicators[$0] }, indent: "- "))
            if omitted { lines.append(CaseFacts.omittedLine) }
        }
        let text = lines.joined(separator: "\n")
        return Block(
            text: text, rawTokens: TokenEstimator.rawEstimate(text), indicatorCount: chosen.count,
            omittedSome: omitted)
    }

    /// The raw estimate of the block with pins only (what is always sent).
    var pinsOnlyRawTokens: Int { block(leftOutBefore: 0, indicatorCap: 0).rawTokens }

    /// How many carriers have a message index below `cut` (binary search).
    func carriersBefore(_ cut: Int) -> Int {
        var low = 0
        var high = carriers.count
        while low < high {
            let middle = (low + high) / 2
            if carriers[middle].messageIndex < cut { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
