/// A fast token estimate that learns the real tokenizer from the provider's usage reports.
///
/// The raw estimate is a byte-class heuristic (about four letters, two digits or one symbol or
/// non-ASCII character per token), computed once per message and cached by ``Conversation``.
/// The calibrated estimate multiplies it by a ratio learned per provider and model (``key``):
/// after every answer call ``calibrate(estimatedInput:reportedInput:)`` with the view's
/// estimate and the input tokens the provider reported.
public struct TokenEstimator: Sendable, Codable, Equatable {
    /// What has been learned for one provider and model.
    public struct Calibration: Sendable, Codable, Equatable {
        /// Real tokens per raw-estimate token.
        public var ratio: Double
        /// How many usage reports (or overflows) shaped the ratio.
        public var samples: Int
    }

    /// Tokens added for every message's role and framing.
    public static let messageOverhead = 4
    /// The smallest ratio calibration may reach.
    public static let minimumRatio = 0.25
    /// The largest ratio calibration may reach.
    public static let maximumRatio = 6.0
    /// Weight of a new usage report once the first has been seen.
    public static let smoothing = 0.3

    /// The provider and model whose calibration is used, e.g. `anthropic/claude-sonnet-4-5`.
    public var key: String
    /// Everything learned so far, by key.
    public private(set) var calibrations: [String: Calibration]

    /// Creates an uncalibrated estimator for one provider and model.
    public init(key: String = "default") {
        self.key = key
        self.calibrations = [:]
    }

    /// The key for a provider and model, as used by ``key``.
    public static func key(provider: String, model: String) -> String { provider + "/" + model }

    /// Real tokens per raw-estimate token for the current ``key`` (1 until calibrated).
    public var ratio: Double { calibrations[key]?.ratio ?? 1 }

    /// Whether a usage report has been seen for the current ``key``.
    public var isCalibrated: Bool { (calibrations[key]?.samples ?? 0) > 0 }

    /// The fraction of the budget above which the caller should ask the provider for an exact
    /// count before sending: 0.9 once calibrated, 0.8 before.
    public var nearLimitFraction: Double { isCalibrated ? 0.9 : 0.8 }

    /// The calibrated estimate of a text's tokens (without per-message overhead).
    public func estimate(_ text: String) -> Int { scaled(TokenEstimator.rawEstimate(text)) }

    /// A raw estimate turned into calibrated tokens, rounded up.
    public func scaled(_ raw: Int) -> Int { Int((Double(raw) * ratio).rounded(.up)) }

    /// The largest raw estimate whose calibrated value is at most `tokens`.
    func rawCapacity(_ tokens: Int) -> Int { max(0, Int((Double(tokens) / ratio).rounded(.down))) }

    /// The uncalibrated estimate of a text's tokens; subadditive, so joining texts never costs
    /// more than the parts.
    public static func rawEstimate(_ text: String) -> Int {
        let quarters = text.utf8.withContiguousStorageIfAvailable { units($0) } ?? units(text.utf8)
        return (quarters + 3) / 4
    }

    /// The raw estimate of some UTF-8 in quarter tokens, before rounding up.
    static func units(_ bytes: some Sequence<UInt8>) -> Int {
        var units = 0
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: " "):
                units += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "\n"), UInt8(ascii: "\t"):
                units += 2
            case 0x80...0xBF:
                break  // UTF-8 continuation byte: the scalar was counted at its lead byte
            case 0xC0...0xFF:
                units += 4
            default:
                units += 3  // ASCII punctuation and control characters
            }
        }
        return units
    }

    /// The raw cost of sending a message: its text as sent plus ``messageOverhead``.
    static func rawCost(of message: Message) -> Int {
        rawEstimate(message.textForSending) + messageOverhead
    }

    /// Learns from a usage report: `estimatedInput` is what this estimator said the request
    /// would cost (``ContextView/estimatedTokens``), `reportedInput` the provider's input-token count.
    ///
    /// The first report sets the ratio; later ones move it by ``smoothing``. The ratio stays
    /// within ``minimumRatio`` and ``maximumRatio``. Reports under 16 tokens are ignored as noise.
    public mutating func calibrate(estimatedInput: Int, reportedInput: Int) {
        guard estimatedInput >= 16, reportedInput > 0 else { return }
        let current = calibrations[key] ?? Calibration(ratio: 1, samples: 0)
        let observed = current.ratio * Double(reportedInput) / Double(estimatedInput)
        let weight = current.samples == 0 ? 1 : TokenEstimator.smoothing
        let ratio = current.ratio + weight * (observed - current.ratio)
        calibrations[key] = Calibration(ratio: TokenEstimator.clamp(ratio), samples: current.samples + 1)
    }

    /// Learns harshly from a context-overflow error, so that a view rebuilt afterwards is smaller.
    ///
    /// Pass the estimate of what was sent and, when the error said so, the real prompt size and
    /// the limit. The ratio jumps (no smoothing) to 10% above what the error implies, and always
    /// grows by at least 10%.
    public mutating func recordOverflow(sentEstimate: Int, reportedPromptTokens: Int?, limit: Int?) {
        let current = calibrations[key] ?? Calibration(ratio: 1, samples: 0)
        let sent = Double(max(1, sentEstimate))
        var target = current.ratio * 1.25
        if let reported = reportedPromptTokens, reported > 0 {
            target = current.ratio * Double(reported) / sent * 1.1
        } else if let limit, limit > 0 {
            target = current.ratio * max(1, Double(limit) / sent) * 1.15
        }
        let ratio = max(target, current.ratio * 1.1)
        calibrations[key] = Calibration(ratio: TokenEstimator.clamp(ratio), samples: current.samples + 1)
    }

    static func clamp(_ ratio: Double) -> Double {
        min(max(ratio, minimumRatio), maximumRatio)
    }
}
