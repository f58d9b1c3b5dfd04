import Foundation
@testable import LLMClients
import LoopbackProvider
import Testing

/// The request body encoder must write the JSON that `JSONEncoder` writes: byte for byte where
/// `JSONEncoder` is deterministic (strings, numbers, arrays, one-member objects), and the same JSON
/// value everywhere else (`JSONEncoder` orders object members unpredictably).
@Suite("Request body encoding")
struct JSONBodyEncoderTests {
    static func reference(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func value(_ bytes: [UInt8]) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// Both encoders agree on the JSON value of `value`.
    static func expectSameValue(_ value: some Encodable, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let ours = try JSONBodyEncoder.encode(value)
        let theirs = try reference(value)
        #expect(try Self.value(ours) == Self.value(theirs), "\(String(decoding: ours, as: UTF8.self))", sourceLocation: sourceLocation)
    }

    /// Every ASCII character (controls, quote, backslash, slash, DEL) and a spread of non-ASCII
    /// scalars: combining marks, the line and paragraph separators, BOM, noncharacters, non-BMP.
    static let alphabet: [Unicode.Scalar] = (0...0x7F).compactMap(Unicode.Scalar.init) + [
        "\u{80}", "\u{A0}", "\u{E9}", "\u{301}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFD}", "\u{FFFF}",
        "\u{D7FF}", "\u{E000}", "\u{1F600}", "\u{1F1EB}", "\u{10FFFF}", "\u{200D}",
    ]

    /// A random string; `plain` is the share of lower-case letters (long clean runs, as in real text).
    static func randomString(using generator: inout SeededGenerator, maxLength: Int = 40, plain: Double = 0) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &generator) {
            if Double.random(in: 0..<1, using: &generator) < plain {
                scalars.append(Unicode.Scalar(UInt8.random(in: 0x61...0x7A, using: &generator)))
            } else {
                scalars.append(alphabet.randomElement(using: &generator)!)
            }
        }
        return String(scalars)
    }

    @Test func escapesEveryStringExactlyAsJSONEncoderDoes() throws {
        for scalar in Self.alphabet {
            let text = "a\(scalar)b\(scalar)"
            #expect(try JSONBodyEncoder.encode([text]) == Self.reference([text]), "U+\(String(scalar.value, radix: 16))")
        }
        var generator = SeededGenerator(seed: 0x5EED_0001)
        for round in 0..<2_000 {
            let text = round.isMultiple(of: 2)
                ? Self.randomString(using: &generator, maxLength: 400, plain: 0.97)
                : Self.randomString(using: &generator)
            #expect(try JSONBodyEncoder.encode([text]) == Self.reference([text]), "\(text.unicodeScalars.map(\.value))")
            let key = Self.randomString(using: &generator, maxLength: 8)
            #expect(try JSONBodyEncoder.encode([key: text]) == Self.reference([key: text]))
        }
    }

    @Test func skipsEightBytesOnlyWhenNoneNeedsEscaping() {
        let special: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x2F, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        var generator = SeededGenerator(seed: 0x5EED_0004)
        for _ in 0..<20_000 {
            let bytes = (0..<8).map { _ in
                Bool.random(using: &generator) ? special.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let word = bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            let expected = bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }
            #expect(JSONStreamWriter.needsEscape(word) == expected, "\(bytes)")
        }
    }

    /// Around the one-pass limit: a body just below it is written in one pass, one just above it is
    /// counted and written again; both are JSONEncoder's bytes.
    @Test func bodiesOnBothSidesOfTheOnePassLimitAreTheSame() throws {
        for size in [JSONBodyEncoder.onePassLimit - 8, JSONBodyEncoder.onePassLimit - 7,
                     JSONBodyEncoder.onePassLimit - 6, JSONBodyEncoder.onePassLimit + 1, 3 * JSONBodyEncoder.onePassLimit] {
            // ["<text>"] is the text plus four bytes; quotes and a newline need escaping.
            let text = String(repeating: "a\"\n", count: size / 6) + String(repeating: "b", count: size % 6)
            let bytes = try JSONBodyEncoder.encode([text])
            #expect(bytes == (try Self.reference([text])), "size \(size)")
        }
    }

    @Test func writesNumbersAndLiteralsExactlyAsJSONEncoderDoes() throws {
        var doubles: [Double] = [0, -0.0, 0.7, 1, 1.5, 100, 1e16, 1e20, 1e-7, 0.1 + 0.2, 5e-324, -2.5e-300,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNormalMagnitude]
        var generator = SeededGenerator(seed: 0x5EED_0002)
        for _ in 0..<500 {
            doubles.append(Double(bitPattern: generator.next()))
            doubles.append(Double.random(in: -1_000...1_000, using: &generator))
        }
        doubles = doubles.filter(\.isFinite)
        #expect(try JSONBodyEncoder.encode(doubles) == Self.reference(doubles))
        let floats: [Float] = [0, 0.1, 1, 3.4e38, 1e-45, -7.25]
        #expect(try JSONBodyEncoder.encode(floats) == Self.reference(floats))
        let ints: [Int] = [0, 1, -1, .max, .min, 1_048_576]
        #expect(try JSONBodyEncoder.encode(ints) == Self.reference(ints))
        let small: [Int8] = [.min, .max]
        #expect(try JSONBodyEncoder.encode(small) == Self.reference(small))
        let unsigned: [UInt64] = [0, .max]
        #expect(try JSONBodyEncoder.encode(unsigned) == Self.reference(unsigned))
        let literals: [Bool?] = [true, false, nil]
        #expect(try JSONBodyEncoder.encode(literals) == Self.reference(literals))
    }

    @Test func refusesNonFiniteNumbersAsJSONEncoderDoes() {
        for number in [Double.nan, .infinity, -.infinity] {
            #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode(["t": number]) }
            #expect(throws: EncodingError.self) { try Self.reference(["t": number]) }
        }
    }

    @Test func reportsTheSameCodingPathAsJSONEncoder() {
        func path(_ encode: () throws -> [UInt8]) -> [String]? {
            do {
                _ = try encode()
                return nil
            } catch let EncodingError.invalidValue(_, context) {
                return context.codingPath.map(\.stringValue)
            } catch {
                return nil
            }
        }
        let value = ["a": [["t": 1.0], ["t": Double.nan]]]
        let ours = path { try JSONBodyEncoder.encode(value) }
        #expect(ours == ["a", "Index 1", "t"])
        #expect(ours == path { try Self.reference(value) })
    }

    @Test func refusesTheFoundationTypesThatJSONEncoderTreatsSpecially() {
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode(["d": Data([1, 2])]) }
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode([Date(timeIntervalSince1970: 0)]) }
    }

    /// Hand-written conformances: nested containers written to in order, a container asked for
    /// twice, an unused super encoder, optionals inside arrays, an empty value.
    struct Unusual: Encodable {
        enum Keys: String, CodingKey { case a, b, c, list, empty }
        struct Empty: Encodable { func encode(to encoder: any Encoder) throws {} }

        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: Keys.self)
            var nested = first.nestedContainer(keyedBy: Keys.self, forKey: .a)
            try nested.encode("x\n", forKey: .b)
            var inner = nested.nestedUnkeyedContainer(forKey: .c)
            try inner.encode(1)
            try inner.encodeNil()
            var deeper = inner.nestedContainer(keyedBy: Keys.self)
            try deeper.encode(true, forKey: .a)
            try first.encode([1, nil, 3] as [Int?], forKey: .list)
            _ = first.superEncoder(forKey: .b)
            try first.encode(Empty(), forKey: .empty)
            var again = encoder.container(keyedBy: Keys.self)
            try again.encode(2.5, forKey: .c)
        }
    }

    /// Super encoders filled with a scalar, with a container, or not at all.
    struct SuperEncoders: Encodable {
        enum Keys: String, CodingKey { case scalar, object, unused, list }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var scalar = container.superEncoder(forKey: .scalar).singleValueContainer()
            try scalar.encode(5)
            var object = container.superEncoder(forKey: .object).container(keyedBy: Keys.self)
            try object.encode("x", forKey: .scalar)
            _ = container.superEncoder(forKey: .unused)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            var element = list.superEncoder().singleValueContainer()
            try element.encode(true)
            _ = list.superEncoder()
            var last = container.superEncoder().unkeyedContainer()
            try last.encode(1)
        }
    }

    @Test func handlesNestedAndRepeatedContainersAsJSONEncoderDoes() throws {
        try Self.expectSameValue(SuperEncoders())
        let supers = String(decoding: try JSONBodyEncoder.encode(SuperEncoders()), as: UTF8.self)
        #expect(supers == #"{"scalar":5,"object":{"scalar":"x"},"unused":{},"list":[true,{}],"super":[1]}"#)
        try Self.expectSameValue(Unusual())
        try Self.expectSameValue([Unusual(), Unusual()])
        let text = String(decoding: try JSONBodyEncoder.encode(Unusual()), as: UTF8.self)
        #expect(text == #"{"a":{"b":"x\n","c":[1,null,{"a":true}]},"list":[1,null,3],"b":{},"empty":{},"c":2.5}"#)
    }

    static func randomRequest(using generator: inout SeededGenerator) -> ChatRequest {
        let count = Int.random(in: 1...6, using: &generator)
        let messages = (0..<count).map { index in
            ChatRequest.Message(role: index.isMultiple(of: 2) ? .user : .assistant, content: randomString(using: &generator, maxLength: 200))
        }
        return ChatRequest(
            model: randomString(using: &generator, maxLength: 12),
            system: Bool.random(using: &generator) ? "" : randomString(using: &generator, maxLength: 80),
            messages: messages,
            maxTokens: Int.random(in: 1...100_000, using: &generator),
            temperature: Bool.random(using: &generator) ? nil : Double.random(in: 0...2, using: &generator),
            contextWindow: Bool.random(using: &generator) ? nil : Int.random(in: 512...1_048_576, using: &generator)
        )
    }

    /// The body each format sends decodes to the JSON value that `JSONEncoder` gives the same body.
    @Test func everyProviderSendsTheBodyJSONEncoderWouldHaveSent() throws {
        var generator = SeededGenerator(seed: 0x5EED_0003)
        for round in 0..<200 {
            let request = Self.randomRequest(using: &generator)
            let streaming = round.isMultiple(of: 2)

            for baseURL in ["http://127.0.0.1:8080/v1", "https://api.openai.com/v1"] {
                let format = OpenAIFormat(baseURL: baseURL, apiKey: "k")
                var messages: [OpenAIFormat.Body.Message] = []
                if !request.system.isEmpty { messages.append(.init(role: "system", content: request.system)) }
                messages += request.messages.map { .init(role: $0.role.rawValue, content: $0.content) }
                let expected = OpenAIFormat.Body(
                    model: request.model, messages: messages, stream: streaming,
                    stream_options: streaming ? .init(include_usage: true) : nil,
                    max_tokens: format.usesMaxCompletionTokens ? nil : request.maxTokens,
                    max_completion_tokens: format.usesMaxCompletionTokens ? request.maxTokens : nil,
                    temperature: request.temperature,
                    prompt_cache_key: request.caching.sessionKey, cache_prompt: nil, return_progress: nil
                )
                let sent = try format.chatRequest(for: request, streaming: streaming).body
                #expect(try Self.value(sent) == Self.value(Self.reference(expected)))
            }

            let anthropic = AnthropicFormat(baseURL: "http://127.0.0.1:8080", apiKey: "k")
            let blocks = AnthropicFormat.blocks(for: request)
            let anthropicBody = AnthropicFormat.Body(
                model: request.model, max_tokens: request.maxTokens, system: blocks.system,
                messages: blocks.messages, stream: streaming ? true : nil, temperature: request.temperature
            )
            #expect(try Self.value(anthropic.chatRequest(for: request, streaming: streaming).body) == Self.value(Self.reference(anthropicBody)))
            let countBody = AnthropicFormat.CountBody(
                model: request.model, system: request.system.isEmpty ? nil : request.system, messages: request.messages
            )
            let count = try #require(try anthropic.countTokensRequest(for: request))
            #expect(try Self.value(count.body) == Self.value(Self.reference(countBody)))

            let gemini = GeminiFormat(baseURL: "http://127.0.0.1:8080", apiKey: "k")
            let geminiBody = gemini.body(for: request, withConfig: true)
            #expect(try Self.value(gemini.chatRequest(for: request, streaming: streaming).body) == Self.value(Self.reference(geminiBody)))

            let ollama = OllamaFormat(baseURL: "http://127.0.0.1:11434")
            var ollamaMessages: [OllamaFormat.Message] = []
            if !request.system.isEmpty { ollamaMessages.append(.init(role: "system", content: request.system)) }
            ollamaMessages += request.messages.map { .init(role: $0.role.rawValue, content: $0.content) }
            let ollamaBody = OllamaFormat.Body(
                model: request.model, messages: ollamaMessages, stream: streaming, keep_alive: request.caching.keepAlive,
                options: .init(num_ctx: request.contextWindow, num_predict: request.maxTokens, temperature: request.temperature)
            )
            #expect(try Self.value(ollama.chatRequest(for: request, streaming: streaming).body) == Self.value(Self.reference(ollamaBody)))
            let show = try #require(ollama.contextWindowRequest(model: request.model))
            #expect(try Self.value(show.body) == Self.value(Self.reference(["model": request.model])))
        }
    }

    @Test func writesMembersInDeclarationOrder() throws {
        let request = ChatRequest(model: "m", system: "s", messages: [.user("hi")], maxTokens: 5, temperature: 0.5)
        let body = try OpenAIFormat(baseURL: "http://127.0.0.1:1/v1", apiKey: nil).chatRequest(for: request, streaming: true).body
        #expect(String(decoding: body, as: UTF8.self) == #"{"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":5,"temperature":0.5}"#)
    }
}
