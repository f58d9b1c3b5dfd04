import Foundation
@testable import LLMClients
import Testing

/// The fast path for OpenAI-style chunks must read exactly what `JSONDecoder` reads, or decline.
@Suite("Fast chunk reading")
struct JSONSkimmerTests {
    func skim(_ json: String) -> (text: String?, finishReason: String?)? {
        var copy = json
        return copy.withUTF8 { OpenAIFormat.skimDelta($0) }
    }

    @Test func readsTheHotShapesOfOpenAIAndLlamaCpp() {
        let openAI = #"{"id":"c","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}"#
        let llama = #"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":" there"}}],"created":1,"id":"x","model":"m","system_fingerprint":"b0","object":"chat.completion.chunk"}"#
        let finish = #"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}],"usage":null}"#
        #expect(skim(openAI)?.text == "Hi")
        #expect(skim(llama)?.text == " there")
        #expect(skim(finish)?.finishReason == "length")
        #expect(skim(finish)?.text == nil)
    }

    @Test func declinesEverythingItDoesNotFullyUnderstand() {
        let declined = [
            #"{"choices":[],"usage":{"prompt_tokens":79,"completion_tokens":11}}"#,
            #"{"error":{"message":"boom"}}"#,
            #"{"choices":[{"index":0,"delta":{"refusal":"no"}}]}"#,
            #"{"choices":[{"index":0,"delta":{"tool_calls":[{"id":"t"}]}}]}"#,
            #"{"choices":[{"delta":{"content":"a"}},{"delta":{"content":"b"}}]}"#,
            #"{"choices":[{"delta":{"content":"unterminated}}]}"#,
            #"{"choices":[{"delta":{"content":"a"}}]} trailing"#,
            #"{"model":"m"}"#,
            "",
        ]
        for json in declined { #expect(skim(json) == nil, "accepted: \(json)") }
    }

    @Test("Skipping a string value accepts and rejects exactly what reading it does")
    func skippingAStringAgreesWithReadingIt() {
        let values = [
            #""plain""#, #""""#, #""esc \"q\" \\ \/ \n \u00e9""#, #""bad \x escape""#, #""bad \u12G4""#,
            "\"raw \u{1} control\"", #""unterminated"#, #""ends in backslash\"#, #""\ud83d\ude00""#, "\"é 世\"",
            #"  "spaced""#,
        ]
        for value in values {
            let bytes = Array(value.utf8)
            let (read, readEnd) = bytes.withUnsafeBufferPointer { buffer -> (String?, Int) in
                var skimmer = JSONSkimmer(buffer)
                return (skimmer.string(), skimmer.index)
            }
            let (skipped, skippedEnd) = bytes.withUnsafeBufferPointer { buffer -> (Bool, Int) in
                var skimmer = JSONSkimmer(buffer)
                return (skimmer.skipValue(), skimmer.index)
            }
            #expect(skipped == (read != nil), "\(value)")
            if skipped { #expect(skippedEnd == readEnd, "\(value)") }
        }
    }

    @Test func decodesEscapesExactlyAsJSONDecoderDoes() throws {
        var generator = SeededGenerator(seed: 42)
        let pieces = ["a", "é", "世", "😀", "\"", "\\", "/", "\n", "\t", "\r", "\u{1B}", "\u{0}", "\u{7F}", "\u{202E}", " ", "{", "}", "[", "]", ":", ","]
        struct Delta: Encodable { let content: String }
        struct Choice: Encodable { let index = 0; let delta: Delta; let finish_reason: String? = nil }
        struct Chunk: Encodable { let choices: [Choice] }
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            let json = String(decoding: try JSONEncoder().encode(Chunk(choices: [Choice(delta: Delta(content: text))])), as: UTF8.self)
            #expect(skim(json)?.text == text, "json: \(json)")
        }
        // \u escapes, surrogate pairs included, as other encoders write them.
        #expect(skim(#"{"choices":[{"delta":{"content":"\u00e9\ud83d\ude00\u001b"}}]}"#)?.text == "é😀\u{1B}")
        #expect(skim(#"{"choices":[{"delta":{"content":"\ud83d"}}]}"#)?.text == "\u{FFFD}")
    }
}
