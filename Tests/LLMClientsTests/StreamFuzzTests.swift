import LLMClients
import Testing

/// A small, seeded generator so that every failure reproduces (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
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

/// Seeded randomized fuzzing of the parsers and decoders: hostile and malformed streams must never
/// crash or hang, and splitting must never change what is parsed.
@Suite("Stream fuzzing")
struct StreamFuzzTests {
    static let alphabet = Array("data: event:{}\"\\[]:,\r\n\n\nDONE é\u{1B}\u{0}x".utf8)

    static func randomBytes(_ generator: inout SeededGenerator, count: Int, structured: Bool) -> [UInt8] {
        (0..<count).map { _ in
            structured ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
        }
    }

    static func split(_ bytes: [UInt8], _ generator: inout SeededGenerator) -> [[UInt8]] {
        var chunks: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let size = Int.random(in: 1...max(1, min(17, bytes.count - index)), using: &generator)
            chunks.append(Array(bytes[index..<index + size]))
            index += size
        }
        return chunks
    }

    func events(_ chunks: [[UInt8]]) -> [ServerSentEvent] {
        var parser = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks { parser.feed(chunk) { events.append($0) } }
        parser.finish { events.append($0) }
        return events
    }

    @Test func sseParserGivesTheSameEventsHoweverRandomInputIsSplit() {
        var generator = SeededGenerator(seed: 0x5EED)
        for round in 0..<3000 {
            let bytes = Self.randomBytes(&generator, count: Int.random(in: 0...300, using: &generator), structured: round % 3 != 0)
            let whole = events([bytes])
            #expect(events(Self.split(bytes, &generator)) == whole, "round \(round)")
        }
    }

    @Test func ndjsonSplitterGivesTheSameLinesHoweverRandomInputIsSplit() {
        var generator = SeededGenerator(seed: 0xBEEF)
        for round in 0..<3000 {
            let bytes = Self.randomBytes(&generator, count: Int.random(in: 0...300, using: &generator), structured: round % 2 == 0)
            func lines(_ chunks: [[UInt8]]) -> [[UInt8]] {
                var splitter = LineSplitter()
                var lines: [[UInt8]] = []
                for chunk in chunks { splitter.feed(chunk) { lines.append(Array($0)) } }
                splitter.finish { lines.append(Array($0)) }
                return lines
            }
            #expect(lines(Self.split(bytes, &generator)) == lines([bytes]), "round \(round)")
        }
    }

    /// Mutated real streams through every decoder: each run ends in a clean answer or an
    /// `LLMClientError`, never a crash or another error type.
    @Test(arguments: ["anthropic", "openai", "gemini", "ollama"])
    func decodersSurviveMutatedStreams(format: String) async throws {
        var generator = SeededGenerator(seed: UInt64(format.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        let seed: [UInt8]
        switch format {
        case "anthropic": seed = Array(StreamDecodingTests.anthropicReference.utf8)
        case "openai": seed = Array(StreamDecodingTests.openAIReference.utf8)
        case "gemini": seed = Array(#"""
            data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}

            data: {"candidates":[{"content":{"parts":[{"text":" there."}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":3,"totalTokenCount":8}}


            """#.utf8)
        default: seed = Array(#"""
            {"model":"m","message":{"role":"assistant","content":"Hi"},"done":false}
            {"model":"m","message":{"role":"assistant","content":"!"},"done":false}
            {"model":"m","message":{"role":"assistant","content":""},"done_reason":"stop","done":true,"prompt_eval_count":26,"eval_count":2}

            """#.utf8)
        }
        for _ in 0..<150 {
            var bytes = seed
            for _ in 0..<Int.random(in: 1...8, using: &generator) {
                guard !bytes.isEmpty else { break }
                let at = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: at)
                case 2: bytes.insert(Self.alphabet.randomElement(using: &generator)!, at: at)
                default: bytes = Array(bytes[..<at])
                }
            }
            let transport = FixtureTransport(body: bytes, chunkSize: Int.random(in: 1...64, using: &generator))
            let client: any LLMClient
            switch format {
            case "anthropic": client = AnthropicClient(format: AnthropicFormat(baseURL: "http://127.0.0.1:1", apiKey: nil), transport: transport)
            case "openai": client = OpenAIClient(format: OpenAIFormat(baseURL: "http://127.0.0.1:1/v1", apiKey: nil), transport: transport)
            case "gemini": client = GeminiClient(format: GeminiFormat(baseURL: "http://127.0.0.1:1", apiKey: nil), transport: transport)
            default: client = OllamaClient(format: OllamaFormat(baseURL: "http://127.0.0.1:1"), transport: transport)
            }
            do {
                _ = try await client.collect(request)
            } catch {
                #expect(error is LLMClientError, "unexpected error type: \(error)")
            }
        }
    }
}
