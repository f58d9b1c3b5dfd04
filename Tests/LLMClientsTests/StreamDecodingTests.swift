import LLMClients
import Testing
import Foundation

/// Reads a recorded stream next to this file.
func fixture(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
    let directory = filePath[..<filePath.lastIndex(of: "/")!]
    let url = URL(fileURLWithPath: "\(directory)/Fixtures/\(name)")
    return Array(try Data(contentsOf: url))
}

let request = ChatRequest(model: "m", system: "Be terse.", messages: [.user("What is beaconing?")], maxTokens: 12)

func collect(_ client: some LLMClient) async throws -> (text: String, events: [StreamEvent]) {
    var events: [StreamEvent] = []
    var text = ""
    for try await event in client.stream(request) {
        events.append(event)
        if case .text(let delta) = event { text += delta }
    }
    return (text, events)
}

@Suite("Stream decoding from recorded streams")
struct StreamDecodingTests {
    /// The documented Anthropic stream (wire-protocols.md), ping included.
    static let anthropicReference = """
    event: message_start
    data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":1}}}

    event: content_block_start
    data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

    event: ping
    data: {"type":"ping"}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

    event: content_block_delta
    data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

    event: content_block_stop
    data: {"type":"content_block_stop","index":0}

    event: message_delta
    data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}

    event: message_stop
    data: {"type":"message_stop"}


    """

    /// The documented OpenAI stream (the SDK's recorded snapshot, shortened).
    static let openAIReference = """
    data: {"id":"chatcmpl-A","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]}

    data: {"id":"chatcmpl-A","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}]}

    data: {"id":"chatcmpl-A","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

    data: {"id":"chatcmpl-A","object":"chat.completion.chunk","created":1727346168,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":79,"completion_tokens":11,"total_tokens":90}}

    data: [DONE]


    """

    func anthropic(_ body: [UInt8], chunkSize: Int = 7) -> AnthropicClient {
        AnthropicClient(format: AnthropicFormat(baseURL: "http://127.0.0.1:1", apiKey: "k"),
                        transport: FixtureTransport(body: body, chunkSize: chunkSize))
    }

    func openAI(_ body: [UInt8], chunkSize: Int = 7) -> OpenAIClient {
        OpenAIClient(format: OpenAIFormat(baseURL: "http://127.0.0.1:1/v1", apiKey: "k"),
                     transport: FixtureTransport(body: body, chunkSize: chunkSize))
    }

    @Test func decodesTheDocumentedAnthropicStream() async throws {
        let (text, events) = try await collect(anthropic(Array(Self.anthropicReference.utf8)))
        #expect(text == "Hi there")
        #expect(events.contains(.usage(TokenUsage(inputTokens: 12, outputTokens: 5))))
        #expect(events.last == .finished(StopReason(kind: .endTurn, raw: "end_turn")))
    }

    @Test func decodesTheDocumentedOpenAIStream() async throws {
        let (text, events) = try await collect(openAI(Array(Self.openAIReference.utf8)))
        #expect(text == "Hi")
        #expect(events.contains(.usage(TokenUsage(inputTokens: 79, outputTokens: 11))))
        #expect(events.contains(.finished(StopReason(kind: .endTurn, raw: "stop"))))
    }

    @Test(arguments: [1, 2, 3, 5, 64, 4096])
    func decodesLlamaCppRecordingsWhateverTheChunkSize(chunkSize: Int) async throws {
        let openAI = try await collect(openAI(try fixture("llamacpp-openai.sse"), chunkSize: chunkSize))
        let anthropic = try await collect(anthropic(try fixture("llamacpp-anthropic.sse"), chunkSize: chunkSize))
        #expect(!openAI.text.isEmpty)
        // Both faces of the same server, same prompt, temperature 0: the same answer.
        #expect(openAI.text == anthropic.text)
        #expect(openAI.events.contains(.finished(StopReason(kind: .maxTokens, raw: "length"))))
        #expect(anthropic.events.contains(.finished(StopReason(kind: .maxTokens, raw: "max_tokens"))))
        let usage = openAI.events.compactMap { if case .usage(let u) = $0 { u } else { nil } }.last
        #expect(usage?.outputTokens == 12)
        #expect((usage?.inputTokens ?? 0) > 0)
    }

    /// Recorded from the embedded server with `return_progress: true`: how far it read the prompt,
    /// before the first token, whatever the chunk size.
    @Test(arguments: [1, 7, 4096])
    func decodesLlamaCppPromptProgressBeforeTheAnswer(chunkSize: Int) async throws {
        let (text, events) = try await collect(openAI(try fixture("llamacpp-openai-progress.sse"), chunkSize: chunkSize))
        let progress = events.compactMap { event -> (Int, Int)? in
            if case .promptProgress(let processed, let total, _) = event { (processed, total) } else { nil }
        }
        #expect(progress.count == 2)
        #expect(progress.last.map { $0.0 == $0.1 } == true)  // the whole prompt read
        let firstText = events.firstIndex { if case .text = $0 { true } else { false } }
        let lastProgress = events.lastIndex { if case .promptProgress = $0 { true } else { false } }
        #expect(try #require(lastProgress) < (try #require(firstText)))
        #expect(!text.isEmpty)
    }

    @Test func asksTheEmbeddedServerForPromptProgressOnlyWhenStreaming() throws {
        let local = OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:8231/v1", apiKey: nil)
        let streamed = String(decoding: try local.chatRequest(for: request, streaming: true).body, as: UTF8.self)
        let collected = String(decoding: try local.chatRequest(for: request, streaming: false).body, as: UTF8.self)
        #expect(streamed.contains("\"return_progress\":true"))
        #expect(!collected.contains("return_progress"))
        let cloud = OpenAIFormat(provider: .openai, baseURL: "https://api.openai.com/v1", apiKey: "k")
        #expect(!String(decoding: try cloud.chatRequest(for: request, streaming: true).body, as: UTF8.self).contains("return_progress"))
    }

    @Test func joinsTheDeltasOfOneNetworkReadIntoOneEvent() async throws {
        let (_, events) = try await collect(openAI(try fixture("llamacpp-openai.sse"), chunkSize: 1 << 20))
        let texts = events.filter { if case .text = $0 { true } else { false } }
        #expect(texts.count == 1)
    }

    @Test func reportsAStreamThatEndsBeforeItsStopEvent() async throws {
        let full = Array(Self.anthropicReference.utf8)
        let cut = Array(full[..<full.firstRange(of: Array("event: message_delta".utf8))!.lowerBound])
        await #expect(throws: LLMClientError.self) { _ = try await collect(anthropic(cut)) }
        // Two text chunks, then the connection closes cleanly: no finish_reason, no [DONE].
        let openAICut = Array((Self.openAIReference.components(separatedBy: "\n\n").prefix(2).joined(separator: "\n\n") + "\n\n").utf8)
        await #expect(throws: LLMClientError.self) { _ = try await collect(openAI(openAICut)) }
    }

    @Test func turnsAnInStreamAnthropicErrorIntoAProviderFailure() async throws {
        let body = Array("""
        event: message_start
        data: {"type":"message_start","message":{"usage":{"input_tokens":3}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Par"}}

        event: error
        data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}


        """.utf8)
        var text = ""
        do {
            for try await event in anthropic(body).stream(request) {
                if case .text(let delta) = event { text += delta }
            }
            Issue.record("expected an error")
        } catch let error as LLMClientError {
            guard case .provider(let failure) = error else { Issue.record("wrong error \(error)"); return }
            #expect(failure.type == "overloaded_error")
            #expect(failure.status == nil)
        }
        #expect(text == "Par")
    }

    @Test func turnsAnInStreamOpenAIErrorIntoAProviderFailure() async throws {
        let body = Array("data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"code\":null}}\n\n".utf8)
        await #expect(throws: LLMClientError.provider(ProviderFailure(provider: .openai, status: nil, type: "server_error", message: "boom"))) {
            _ = try await collect(openAI(body))
        }
    }
}

@Suite("Request encoding")
struct RequestEncodingTests {
    func json(_ request: HTTPRequest) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(request.body)) as! [String: Any]
    }

    @Test func anthropicSendsTheSystemPromptTopLevelWithRequiredHeaders() throws {
        let http = try AnthropicFormat(baseURL: "https://api.anthropic.com", apiKey: "sk-test")
            .chatRequest(for: request, streaming: true)
        #expect(http.url == "https://api.anthropic.com/v1/messages")
        #expect(http.headers.contains { $0.name == "anthropic-version" && $0.value == "2023-06-01" })
        #expect(http.headers.contains { $0.name == "x-api-key" && $0.value == "sk-test" })
        let body = try json(http)
        // The system prompt is an array of text blocks, so that it can carry a cache breakpoint.
        let system = try #require(body["system"] as? [[String: Any]])
        #expect(system.count == 1)
        #expect(system.first?["text"] as? String == "Be terse.")
        #expect((system.first?["cache_control"] as? [String: Any])?["type"] as? String == "ephemeral")
        #expect(body["max_tokens"] as? Int == 12)
        #expect(body["stream"] as? Bool == true)
        #expect((body["messages"] as? [[String: Any]])?.count == 1)
    }

    @Test func openAISendsTheSystemPromptAsTheFirstMessageAndAsksForUsage() throws {
        let http = try OpenAIFormat(baseURL: "https://api.openai.com/v1", apiKey: "sk-test").chatRequest(for: request, streaming: true)
        #expect(http.url == "https://api.openai.com/v1/chat/completions")
        #expect(http.headers.contains { $0.name == "Authorization" && $0.value == "Bearer sk-test" })
        let body = try json(http)
        let messages = body["messages"] as? [[String: Any]]
        #expect(messages?.first?["role"] as? String == "system")
        #expect(messages?.count == 2)
        #expect(body["max_completion_tokens"] as? Int == 12)
        #expect(body["max_tokens"] == nil)
        #expect((body["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true)
    }

    @Test func openAICompatibleServersGetMaxTokens() throws {
        let http = try OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:8231/v1", apiKey: nil).chatRequest(for: request, streaming: false)
        let body = try json(http)
        #expect(body["max_tokens"] as? Int == 12)
        #expect(body["max_completion_tokens"] == nil)
        #expect(!http.headers.contains { $0.name == "Authorization" })
    }
}
