/// The case facts of a conversation: indicators extracted from every message (once, when the
/// message is appended) and free text the analyst pinned.
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
        positionsByKey = [:]
        carriers = []
    }

    /// Whether there are neither pins nor indicators.
    public var isEmpty: Bool { pins.isEmpty && indicators.isEmpty }

    mutating func record(_ found: [Indicator], inMessageAt messageIndex: Int) {
        guard !found.isEmpty else { return }
        var positions: [Int] = []
        positions.reserveCapacity(found.count)
        for indicator in found {
            let key = indicator.key
            if let position = positionsByKey[key] {
                lastMentionIDs[position] = messageIndex
                positions.append(position)
            } else {
                positionsByKey[key] = indicators.count
                positions.append(indicators.count)
                indicators.append(indicator)
                lastMentionIDs.append(messageIndex)
            }
        }
        carriers.append(Carrier(messageIndex: messageIndex, positions: positions))
    }

    mutating func pin(_ text: String) { pins.append(text) }

    mutating func unpin(at index: Int) throws(ConversationError) {
        guard pins.indices.contains(index) else { throw .noSuchPin(index: index, count: pins.count) }
        pins.remove(at: index)
    }

    /// A listing for `/facts`: numbered pins, then indicators grouped by kind.
    public var listing: String {
        var lines: [String] = []
        if pins.isEmpty {
            lines.append("Pinned: none (add with /pin TEXT)")
        } else {
            lines.append("Pinned:")
            for (index, pin) in pins.enumerated() { lines.append("  \(index + 1). \(pin)") }
        }
        if indicators.isEmpty {
            lines.append("Indicators: none yet")
        } else {
            lines.append("Indicators:")
            lines.append(contentsOf: CaseFacts.groupedLines(indicators, indent: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// One line per pin and per kind of indicator, for incident notes.
    public var summaryLines: [String] {
        pins.map { "Pinned: \($0)" } + CaseFacts.groupedLines(indicators, indent: "")
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
    static let indicatorsHeader = "Indicators from messages no longer sent:"
    static let omittedLine = "(older indicators left out to save space; the analyst can list them with /facts)"

    /// The block holding every pin and the indicators mentioned only before `cut`, newest-mentioned
    /// first until their raw estimate reaches `indicatorCap`.
    func block(leftOutBefore cut: Int, indicatorCap: Int) -> Block {
        var chosen: [Int] = []
        var omitted = false
        var spent = TokenEstimator.rawEstimate(CaseFacts.indicatorsHeader) + 2
        var carrierIndex = carriersBefore(cut) - 1
        // Each distinct indicator is chosen at most once, at its last mention; once every one last
        // mentioned before the cut is decided, older carriers hold nothing new. Without this stop,
        // indicators that recur all investigation long would send the walk back to message 0.
        let candidates = lastMentionIDs.reduce(0) { $1 < cut ? $0 + 1 : $0 }
        walk: while carrierIndex >= 0, chosen.count < candidates {
            let carrier = carriers[carrierIndex]
            for position in carrier.positions where lastMentionIDs[position] == carrier.messageIndex {
                let cost = TokenEstimator.rawEstimate(indicators[position].value) + 1
                if spent + cost > indicatorCap {
                    omitted = true
                    break walk
                }
                spent += cost
                chosen.append(position)
            }
            carrierIndex -= 1
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
