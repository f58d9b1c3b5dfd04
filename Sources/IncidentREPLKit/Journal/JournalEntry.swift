#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import ConversationCore
import Safeguards

/// One line of a session journal: when it happened and what happened.
///
/// On disk a line is a flat JSON object, e.g.
/// `{"t":1795647660123,"type":"user","text":"what is 10.0.0.5 doing?"}`; `t` is milliseconds since
/// the Unix epoch, so the time survives a round trip exactly.
public struct JournalEntry: Sendable, Equatable, Codable {
    /// When the event was journaled, to the millisecond.
    public var time: Date
    public var event: JournalEvent

    /// - Parameter time: Rounded to the millisecond, as it is stored.
    public init(time: Date, event: JournalEvent) {
        self.time = Self.millisecondDate(Self.milliseconds(time))
        self.event = event
    }

    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func millisecondDate(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Encodes this entry as one JSON line, newline included.
    public func encodedLine() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes = Array(try encoder.encode(self))
        bytes.append(0x0A)
        return bytes
    }

    // MARK: - Codable

    enum CodingKeys: String, CodingKey {
        case time = "t", type
        case provider, model, role, system, strategy
        case text, status, inputTokens = "in", outputTokens = "out", firstTokenMilliseconds = "ttftMs",
             totalMilliseconds = "totalMs", cacheReadTokens = "cacheRead", cacheWriteTokens = "cacheWrite"
        case coversThrough, index, estimator, redactor
        case baseURL, redaction, fenceKey
        case evidence, window
        case stop
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        time = Self.millisecondDate(try c.decode(Int64.self, forKey: .time))
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "session":
            event = .sessionStart(.init(
                provider: try c.decode(String.self, forKey: .provider),
                model: try c.decode(String.self, forKey: .model),
                role: try c.decodeIfPresent(String.self, forKey: .role),
                systemPrompt: try c.decode(String.self, forKey: .system),
                strategy: try c.decode(String.self, forKey: .strategy),
                baseURL: try c.decodeIfPresent(String.self, forKey: .baseURL),
                redaction: try c.decodeIfPresent(String.self, forKey: .redaction),
                fenceKey: try c.decodeIfPresent(String.self, forKey: .fenceKey)
            ))
        case "user":
            event = .user(try c.decode(String.self, forKey: .text))
        case "delta":
            event = .answerDelta(try c.decode(String.self, forKey: .text))
        case "assistant":
            event = .assistant(.init(
                text: try c.decode(String.self, forKey: .text),
                status: try c.decode(Message.Status.self, forKey: .status),
                inputTokens: try c.decodeIfPresent(Int.self, forKey: .inputTokens),
                outputTokens: try c.decodeIfPresent(Int.self, forKey: .outputTokens),
                firstTokenMilliseconds: try c.decodeIfPresent(Int.self, forKey: .firstTokenMilliseconds),
                totalMilliseconds: try c.decodeIfPresent(Int.self, forKey: .totalMilliseconds),
                stop: try c.decodeIfPresent(String.self, forKey: .stop),
                cacheReadTokens: try c.decodeIfPresent(Int.self, forKey: .cacheReadTokens),
                cacheWriteTokens: try c.decodeIfPresent(Int.self, forKey: .cacheWriteTokens)
            ))
        case "truncation":
            event = .truncation(try c.decode(String.self, forKey: .text))
        case "summary":
            event = .summary(.init(
                text: try c.decode(String.self, forKey: .text),
                coversThroughMessageID: try c.decodeIfPresent(Int.self, forKey: .coversThrough)
            ))
        case "strategy":
            event = .strategyChange(try c.decode(String.self, forKey: .strategy))
        case "pin":
            event = .pin(try c.decode(String.self, forKey: .text))
        case "unpin":
            event = .unpin(index: try c.decode(Int.self, forKey: .index))
        case "system":
            event = .systemChange(
                role: try c.decodeIfPresent(String.self, forKey: .role),
                systemPrompt: try c.decode(String.self, forKey: .system)
            )
        case "model":
            event = .modelChange(
                provider: try c.decode(String.self, forKey: .provider),
                model: try c.decode(String.self, forKey: .model)
            )
        case "new":
            event = .newConversation
        case "estimator":
            event = .estimator(try c.decode(TokenEstimator.self, forKey: .estimator))
        case "settings":
            event = .settingsChange(
                baseURL: try c.decodeIfPresent(String.self, forKey: .baseURL),
                redaction: try c.decodeIfPresent(String.self, forKey: .redaction),
                fenceKey: try c.decodeIfPresent(String.self, forKey: .fenceKey)
            )
        case "redactor":
            event = .redactor(try c.decode(SecretRedactor.self, forKey: .redactor))
        case "evidence":
            event = .evidence(try c.decode(EvidenceFile.self, forKey: .evidence))
        case "window":
            event = .window(try c.decode(ViewWindow.self, forKey: .window))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown event type '\(type)'"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.milliseconds(time), forKey: .time)
        try c.encode(event.typeName, forKey: .type)
        switch event {
        case .sessionStart(let start):
            try c.encode(start.provider, forKey: .provider)
            try c.encode(start.model, forKey: .model)
            try c.encodeIfPresent(start.role, forKey: .role)
            try c.encode(start.systemPrompt, forKey: .system)
            try c.encode(start.strategy, forKey: .strategy)
            try c.encodeIfPresent(start.baseURL, forKey: .baseURL)
            try c.encodeIfPresent(start.redaction, forKey: .redaction)
            try c.encodeIfPresent(start.fenceKey, forKey: .fenceKey)
        case .user(let text), .answerDelta(let text), .truncation(let text), .pin(let text):
            try c.encode(text, forKey: .text)
        case .assistant(let answer):
            try c.encode(answer.text, forKey: .text)
            try c.encode(answer.status, forKey: .status)
            try c.encodeIfPresent(answer.inputTokens, forKey: .inputTokens)
            try c.encodeIfPresent(answer.outputTokens, forKey: .outputTokens)
            try c.encodeIfPresent(answer.firstTokenMilliseconds, forKey: .firstTokenMilliseconds)
            try c.encodeIfPresent(answer.totalMilliseconds, forKey: .totalMilliseconds)
            try c.encodeIfPresent(answer.stop, forKey: .stop)
            try c.encodeIfPresent(answer.cacheReadTokens, forKey: .cacheReadTokens)
            try c.encodeIfPresent(answer.cacheWriteTokens, forKey: .cacheWriteTokens)
        case .summary(let summary):
            try c.encode(summary.text, forKey: .text)
            try c.encodeIfPresent(summary.coversThroughMessageID, forKey: .coversThrough)
        case .strategyChange(let name):
            try c.encode(name, forKey: .strategy)
        case .unpin(let index):
            try c.encode(index, forKey: .index)
        case .systemChange(let role, let systemPrompt):
            try c.encodeIfPresent(role, forKey: .role)
            try c.encode(systemPrompt, forKey: .system)
        case .modelChange(let provider, let model):
            try c.encode(provider, forKey: .provider)
            try c.encode(model, forKey: .model)
        case .newConversation:
            break
        case .estimator(let estimator):
            try c.encode(estimator, forKey: .estimator)
        case .redactor(let redactor):
            try c.encode(redactor, forKey: .redactor)
        case .settingsChange(let baseURL, let redaction, let fenceKey):
            try c.encodeIfPresent(baseURL, forKey: .baseURL)
            try c.encodeIfPresent(redaction, forKey: .redaction)
            try c.encodeIfPresent(fenceKey, forKey: .fenceKey)
        case .evidence(let file):
            try c.encode(file, forKey: .evidence)
        case .window(let window):
            try c.encode(window, forKey: .window)
        }
    }
}
