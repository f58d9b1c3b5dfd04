import ConversationCore
import Foundation
import IncidentREPLKit
import LLMClients
import Testing

/// SplitMix64, so that every failing case replays from its seed.
struct PrefixSeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The prefix property: between truncation events every request extends the previous one byte
/// for byte, through the real encoders of all four providers and the real outbound filter.
@Suite("Stable request prefix between truncation events")
struct PrefixPropertyTests {
    static let words = ["alert", "beacon", "host", "lateral", "the", "powershell", "é", "🔥", "12345", "{x}", "\"q\""]

    static func text(_ rng: inout PrefixSeededGenerator, maxWords: Int) -> String {
        var parts: [String] = []
        for _ in 0..<Int.random(in: 1...maxWords, using: &rng) {
            switch Int.random(in: 0..<14, using: &rng) {
            case 0: parts.append("10.0.\(Int.random(in: 0...3, using: &rng)).\(Int.random(in: 1...9, using: &rng))")
            case 1: parts.append("host: WS-0\(Int.random(in: 10...19, using: &rng))")
            case 2: parts.append("\n")  // a pasted, multi-line message: fenced as untrusted data
            case 3: parts.append("password=hunter\(Int.random(in: 10...99, using: &rng))secret")
            default: parts.append(words.randomElement(using: &rng)!)
            }
        }
        return parts.joined(separator: " ")
    }

    /// The encoded bodies of one request for each provider (the local llama.cpp flavour of OpenAI).
    static func bodies(_ request: ChatRequest) throws -> [String: [UInt8]] {
        [
            "anthropic": try AnthropicFormat(baseURL: "https://api.anthropic.com", apiKey: "k")
                .chatRequest(for: request, streaming: true).body,
            "openai": try OpenAIFormat(provider: .openai, baseURL: "https://api.openai.com/v1", apiKey: "k")
                .chatRequest(for: request, streaming: true).body,
            "local": try OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:8080/v1", apiKey: nil)
                .chatRequest(for: request, streaming: true).body,
            "gemini": try GeminiFormat(baseURL: "https://generativelanguage.googleapis.com", apiKey: "k")
                .chatRequest(for: request, streaming: true).body,
            "ollama": try OllamaFormat(baseURL: "http://127.0.0.1:11434").chatRequest(for: request, streaming: true).body,
        ]
    }

    static func commonPrefix(_ a: [UInt8], _ b: [UInt8]) -> Int {
        var index = 0
        while index < a.count, index < b.count, a[index] == b[index] { index += 1 }
        return index
    }

    /// Where the text of the last message of `request` ends inside `body` (before its closing quote).
    static func endOfLastMessage(_ request: ChatRequest, in body: [UInt8]) throws -> Int? {
        guard let last = request.messages.last else { return nil }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var needle = Array(try encoder.encode(last.content))
        needle.removeLast()  // the closing quote
        guard needle.count <= body.count else { return nil }
        var start = body.count - needle.count
        while start >= 0 {
            if body[start] == needle[0], Array(body[start..<(start + needle.count)]) == needle {
                return start + needle.count
            }
            start -= 1
        }
        return nil
    }

    /// Where the first occurrence of `text`, JSON-encoded, ends inside `body` (before its closing quote).
    static func endOfFirstOccurrence(of text: String, in body: [UInt8]) throws -> Int? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        var needle = Array(try encoder.encode(text))
        needle.removeLast()
        guard needle.count <= body.count else { return nil }
        for start in 0...(body.count - needle.count) where Array(body[start..<(start + needle.count)]) == needle {
            return start + needle.count
        }
        return nil
    }

    struct Outcome {
        var extendingTurns = 0
        var events = 0
    }

    /// Plays a random conversation turn by turn through `advanceView`, the outbound filter and the
    /// encoders, checking the property after every turn.
    static func play(seed: Int) throws -> Outcome {
        var rng = PrefixSeededGenerator(seed: UInt64(seed))
        let strategies: [TruncationStrategy] = [.dropOldest, .summarise, .lastN(Int.random(in: 2...6, using: &rng))]
        var conversation = Conversation(
            systemPrompt: "You are terse. " + text(&rng, maxWords: 30),
            strategy: strategies.randomElement(using: &rng)!)
        var estimator = TokenEstimator()
        let budget = ContextBudget(
            contextWindow: Int.random(in: 800...4_000, using: &rng), reservedForAnswer: Int.random(in: 64...256, using: &rng),
            lowWaterFraction: [nil, 0.4, 0.6, 0.75].randomElement(using: &rng)!)
        var filter = OutboundFilter(mode: Bool.random(using: &rng) ? .on : .off)
        let caching = PromptCaching(ttl: Bool.random(using: &rng) ? .oneHour : .fiveMinutes, sessionKey: "s-\(seed)")
        var previous: (request: ChatRequest, bodies: [String: [UInt8]])?
        var outcome = Outcome()
        for turn in 0..<Int.random(in: 20...45, using: &rng) {
            conversation.appendUser("q\(turn) " + text(&rng, maxWords: 40))
            if Int.random(in: 0..<12, using: &rng) == 0 { conversation.pin("pin \(turn)") }
            if conversation.strategy == .summarise, Int.random(in: 0..<3, using: &rng) == 0,
                let plan = conversation.summaryPlan(budget: budget, estimator: estimator)
            {
                try conversation.recordSummary("summary \(turn) " + text(&rng, maxWords: 20), covering: plan.coversThroughMessageID)
            }
            if Int.random(in: 0..<10, using: &rng) == 0 {
                // The provider's count teaches the estimator: the same view may no longer fit.
                estimator.calibrate(estimatedInput: 1_000, reportedInput: Int.random(in: 900...1_400, using: &rng))
            }
            guard let view = try? conversation.advanceView(budget: budget, estimator: estimator) else { break }
            #expect(view.estimatedTokens <= budget.available, "seed \(seed) turn \(turn)")
            let filtered = filter.filter(view, endpoint: "https://api.example.com")
            let request = ChatRequest(
                model: "m", system: filtered.system, systemContext: filtered.systemContext, messages: filtered.messages, maxTokens: 100, temperature: 0,
                contextWindow: budget.contextWindow, caching: caching)
            let bodies = try bodies(request)
            if view.extendsPreviousPrefix {
                let before = try #require(previous, "seed \(seed) turn \(turn): extends a view that was never sent")
                outcome.extendingTurns += 1
                #expect(request.system == before.request.system, "seed \(seed) turn \(turn)")
                #expect(request.systemContext == before.request.systemContext, "seed \(seed) turn \(turn)")
                #expect(Array(request.messages.prefix(before.request.messages.count)) == before.request.messages,
                        "seed \(seed) turn \(turn)")
                for (name, body) in bodies {
                    let old = try #require(before.bodies[name])
                    let end = try #require(try endOfLastMessage(before.request, in: old), "seed \(seed) \(name)")
                    #expect(commonPrefix(old, body) >= end,
                            "seed \(seed) turn \(turn) \(name): the request does not extend the previous one")
                }
            } else {
                outcome.events += 1
                // A truncation event rewrites the facts and the summary, never the role's prompt:
                // Anthropic's body still matches the previous one through the first system block,
                // the one with the stable breakpoint.
                if let before = previous, let old = before.bodies["anthropic"], let body = bodies["anthropic"] {
                    let end = try #require(try endOfFirstOccurrence(of: request.system, in: body), "seed \(seed)")
                    #expect(commonPrefix(old, body) >= end,
                            "seed \(seed) turn \(turn): a truncation event rewrote the stable system block")
                }
            }
            previous = (request, bodies)
            conversation.appendAssistant("a\(turn) " + text(&rng, maxWords: 50),
                                         status: Int.random(in: 0..<15, using: &rng) == 0 ? .interrupted : .complete)
        }
        return outcome
    }

    @Test(arguments: 0..<60)
    func consecutiveRequestsBetweenTruncationEventsShareTheirPrefixThroughEveryEncoder(seed: Int) throws {
        _ = try Self.play(seed: seed)
    }

    @Test func mostTurnsOfRandomConversationsExtendThePreviousRequest() throws {
        var extending = 0, events = 0
        for seed in 0..<60 {
            let outcome = try Self.play(seed: seed)
            extending += outcome.extendingTurns
            events += outcome.events
        }
        // Guards the property test against passing vacuously.
        #expect(extending > events, "extending \(extending), events \(events)")
        #expect(events >= 60, "events \(events)")
    }
}
