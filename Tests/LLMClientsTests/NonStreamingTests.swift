import LLMClients
import LoopbackProvider
import Testing

/// Every backend also works without streaming, and reports what the analyst must be told.
@Suite("Non-streaming answers and provider specifics")
struct NonStreamingTests {
    static func client(_ format: ProviderFormat, _ server: LoopbackServer) -> any LLMClient {
        let transport = CurlTransport()
        switch format {
        case .anthropic: return AnthropicClient(format: AnthropicFormat(baseURL: server.baseURL, apiKey: "k"), transport: transport)
        case .gemini: return GeminiClient(format: GeminiFormat(baseURL: server.baseURL, apiKey: "k"), transport: transport)
        case .ollama: return OllamaClient(format: OllamaFormat(baseURL: server.baseURL), transport: transport)
        default: return OpenAIClient(format: OpenAIFormat(baseURL: server.baseURL + "/v1", apiKey: "k"), transport: transport)
        }
    }

    @Test(arguments: [ProviderFormat.anthropic, .openai, .gemini, .ollama])
    func completeReturnsTheWholeAnswerWithUsage(format: ProviderFormat) async throws {
        let server = try LoopbackServer(handler: { request in
            .success(format, deltas: ["Contain ", "WS-042."], usage: TokenUsage(input: 31, output: 7), for: request)
        })
        defer { server.stop() }
        let response = try await Self.client(format, server).complete(request)
        #expect(response.text == "Contain WS-042.")
        #expect(response.usage.inputTokens == 31)
        #expect(response.usage.outputTokens == 7)
        #expect(response.stopReason?.kind == .endTurn)
        let sent = try #require(server.requests.last)
        #expect(!format.wantsStream(sent))
    }

    @Test func geminiReportsASafetyStopInsteadOfAnEmptyAnswer() async throws {
        let body = #"""
        data: {"candidates":[{"content":{"parts":[{"text":"Partial"}],"role":"model"},"finishReason":"SAFETY","index":0}],"usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":1}}


        """#
        let server = try LoopbackServer(replies: [Reply(status: 200, headers: [("Content-Type", "text/event-stream")], parts: [.text(body)], chunked: true)])
        defer { server.stop() }
        let response = try await Self.client(.gemini, server).collect(request)
        #expect(response.stopReason == StopReason(kind: .blocked, raw: "SAFETY"))
        #expect(response.stopReason?.isNoteworthy == true)
    }

    @Test func geminiReportsABlockedPrompt() async throws {
        let body = "data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":5}}\n\n"
        let server = try LoopbackServer(replies: [Reply(status: 200, parts: [.text(body)], chunked: true)])
        defer { server.stop() }
        let response = try await Self.client(.gemini, server).collect(request)
        #expect(response.text.isEmpty)
        #expect(response.stopReason?.kind == .blocked)
    }

    @Test func ollamaSendsTheContextWindowAndTellsToPullAMissingModel() async throws {
        let server = try LoopbackServer(replies: [.fault(.ollama, .modelNotFound("llama3.2"))])
        defer { server.stop() }
        var withWindow = request
        withWindow.contextWindow = 16384
        withWindow.model = "llama3.2"
        do {
            _ = try await Self.client(.ollama, server).collect(withWindow)
            Issue.record("expected model not found")
        } catch {
            #expect("\(error)".contains("ollama pull llama3.2"))
        }
        #expect(server.requests.first?.json()?["options"]?["num_ctx"]?.int == 16384)
    }

    @Test func contextWindowsComeFromTheServerWhereItCanSay() async throws {
        let llama = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["x"]))
        defer { llama.stop() }
        let local = OpenAIClient(format: OpenAIFormat(provider: .local, baseURL: llama.baseURL + "/v1", apiKey: nil), transport: CurlTransport())
        #expect(try await local.contextWindow(model: "m") == 8192)
        let ollama = try LoopbackServer(replies: [.json(#"{"model_info":{"general.architecture":"llama","llama.context_length":131072}}"#)])
        defer { ollama.stop() }
        #expect(try await Self.client(.ollama, ollama).contextWindow(model: "llama3.2") == 131072)
        let gemini = try LoopbackServer(replies: [.json(#"{"name":"models/gemini-2.5-flash","inputTokenLimit":1048576}"#)])
        defer { gemini.stop() }
        #expect(try await Self.client(.gemini, gemini).contextWindow(model: "gemini-2.5-flash") == 1_048_576)
        let anthropic = try LoopbackServer(replies: [.json(#"{"id":"claude-sonnet-4-5","max_input_tokens":200000}"#)])
        defer { anthropic.stop() }
        #expect(try await Self.client(.anthropic, anthropic).contextWindow(model: "claude-sonnet-4-5") == 200_000)
    }

    @Test func exactCountsComeFromEachCountingEndpoint() async throws {
        let anthropic = try LoopbackServer(replies: [.json(#"{"input_tokens":1234}"#)])
        defer { anthropic.stop() }
        #expect(try await Self.client(.anthropic, anthropic).countTokens(request) == 1234)
        #expect(anthropic.requests.first?.path == "/v1/messages/count_tokens")
        let gemini = try LoopbackServer(replies: [.json(#"{"totalTokens":77}"#)])
        defer { gemini.stop() }
        #expect(try await Self.client(.gemini, gemini).countTokens(request) == 77)
        #expect(gemini.requests.first?.json()?["generateContentRequest"]?["systemInstruction"] != nil)
        let ollama = try LoopbackServer(replies: [.json("{}")])
        defer { ollama.stop() }
        #expect(try await Self.client(.ollama, ollama).countTokens(request) == nil)  // Ollama has no counting endpoint
    }
}
