import Foundation
@testable import LLMClients
import Testing

/// The last usage a stream reported.
func lastUsage(_ client: some LLMClient, _ request: ChatRequest = request) async throws -> TokenUsage? {
    var usage: TokenUsage?
    for try await event in client.stream(request) {
        if case .usage(let reported) = event { usage = (usage ?? TokenUsage()).merging(reported) }
    }
    return usage
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("Cache counts decoded from every provider's stream")
struct CacheUsageDecodingTests {
    @Test func anthropicKeepsCacheReadAndWriteApartAndAddsThemToTheInput() async throws {
        let stream = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"usage":{"input_tokens":50,"cache_creation_input_tokens":1200,"cache_read_input_tokens":2048,"cache_creation":{"ephemeral_5m_input_tokens":1200,"ephemeral_1h_input_tokens":0},"output_tokens":1}}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":5}}

        event: message_stop
        data: {"type":"message_stop"}


        """
        let client = AnthropicClient(format: AnthropicFormat(baseURL: "http://127.0.0.1:1", apiKey: "k"),
                                     transport: FixtureTransport(body: bytes(stream)))
        let usage = try #require(try await lastUsage(client))
        #expect(usage == TokenUsage(inputTokens: 3_298, outputTokens: 5, cacheReadTokens: 2_048, cacheWriteTokens: 1_200))
        #expect(usage.uncachedInputTokens == 1_250)
    }

    @Test func llamaCppAnthropicFaceReportsItsSlotReuseAsACacheRead() async throws {
        let client = AnthropicClient(format: AnthropicFormat(baseURL: "http://127.0.0.1:1", apiKey: "k"),
                                     transport: FixtureTransport(body: try fixture("llamacpp-anthropic.sse")))
        let usage = try #require(try await lastUsage(client))
        #expect(usage.cacheReadTokens == 23)
        #expect(usage.inputTokens == 24)
    }

    @Test func openAIReadsCachedTokensFromThePromptDetails() async throws {
        let stream = """
        data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

        data: {"id":"c","object":"chat.completion.chunk","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0}}}

        data: [DONE]


        """
        let client = OpenAIClient(format: OpenAIFormat(baseURL: "http://127.0.0.1:1/v1", apiKey: "k"),
                                  transport: FixtureTransport(body: bytes(stream)))
        let usage = try #require(try await lastUsage(client))
        #expect(usage == TokenUsage(inputTokens: 2_006, outputTokens: 300, cacheReadTokens: 1_920))
    }

    @Test func llamaCppRecordedStreamReportsItsCacheCount() async throws {
        let client = OpenAIClient(format: OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:1/v1", apiKey: nil),
                                  transport: FixtureTransport(body: try fixture("llamacpp-openai.sse")))
        let usage = try #require(try await lastUsage(client))
        #expect(usage.inputTokens == 24)
        #expect(usage.cacheReadTokens == 0)
        #expect(usage.outputTokens == 12)
    }

    @Test func llamaCppTimingsAloneGiveTheCacheCountEvenOnTheFastPath() async throws {
        // A finish chunk the fast skimmer would take, carrying llama.cpp's timings and no usage.
        let stream = """
        data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":"ok"}}],"object":"chat.completion.chunk"}

        data: {"choices":[{"finish_reason":"stop","index":0,"delta":{}}],"object":"chat.completion.chunk","timings":{"cache_n":1800,"prompt_n":120,"prompt_ms":600.5,"predicted_n":7}}

        data: [DONE]


        """
        let client = OpenAIClient(format: OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:1/v1", apiKey: nil),
                                  transport: FixtureTransport(body: bytes(stream)))
        let usage = try #require(try await lastUsage(client))
        #expect(usage.inputTokens == 1_920)
        #expect(usage.cacheReadTokens == 1_800)
    }

    @Test func geminiReadsCachedContentTokenCount() async throws {
        let stream = """
        data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"}}],"usageMetadata":{"promptTokenCount":3000,"candidatesTokenCount":1,"totalTokenCount":3001}}

        data: {"candidates":[{"content":{"parts":[{"text":" there"}],"role":"model"},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":3000,"candidatesTokenCount":4,"totalTokenCount":3004,"cachedContentTokenCount":2816,"cacheTokensDetails":[{"modality":"TEXT","tokenCount":2816}]}}


        """
        let client = GeminiClient(format: GeminiFormat(baseURL: "http://127.0.0.1:1", apiKey: "k"),
                                  transport: FixtureTransport(body: bytes(stream)))
        let usage = try #require(try await lastUsage(client))
        #expect(usage == TokenUsage(inputTokens: 3_000, outputTokens: 4, cacheReadTokens: 2_816))
    }

    @Test func ollamaReadsPromptEvalCachedCountWhereSentAndNothingWhereNot() async throws {
        let newer = """
        {"model":"llama3.2","message":{"role":"assistant","content":"Hi"},"done":false}
        {"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":2100,"prompt_eval_cached_count":1980,"eval_count":9}

        """
        let older = """
        {"model":"llama3.2","message":{"role":"assistant","content":"Hi"},"done":false}
        {"model":"llama3.2","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":120,"eval_count":9}

        """
        let withCount = OllamaClient(format: OllamaFormat(baseURL: "http://127.0.0.1:1"), transport: FixtureTransport(body: bytes(newer)))
        #expect(try await lastUsage(withCount) == TokenUsage(inputTokens: 2_100, outputTokens: 9, cacheReadTokens: 1_980))
        let without = OllamaClient(format: OllamaFormat(baseURL: "http://127.0.0.1:1"), transport: FixtureTransport(body: bytes(older)))
        #expect(try await lastUsage(without)?.cacheReadTokens == nil)
    }
}

@Suite("Prompt-caching hints on the wire")
struct PromptCachingRequestTests {
    static func json(_ body: [UInt8]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
    }

    static func conversation(_ turns: Int, caching: PromptCaching = PromptCaching()) -> ChatRequest {
        var messages: [ChatRequest.Message] = []
        for turn in 0..<turns {
            messages.append(.user("question \(turn)"))
            messages.append(.assistant("answer \(turn)"))
        }
        messages.append(.user("newest"))
        return ChatRequest(model: "claude-sonnet-4-5", system: "Be terse.", messages: messages, maxTokens: 100, caching: caching)
    }

    /// Every `cache_control` in an Anthropic body, as (where, ttl).
    static func breakpoints(_ body: [String: Any]) -> [(String, String?)] {
        var found: [(String, String?)] = []
        for block in body["system"] as? [[String: Any]] ?? [] {
            if let control = block["cache_control"] as? [String: Any] { found.append(("system", control["ttl"] as? String)) }
        }
        for (index, message) in (body["messages"] as? [[String: Any]] ?? []).enumerated() {
            for block in message["content"] as? [[String: Any]] ?? [] {
                if let control = block["cache_control"] as? [String: Any] { found.append(("message \(index)", control["ttl"] as? String)) }
            }
        }
        return found
    }

    @Test func anthropicMarksTheSystemPromptAndTheNewestMessageOnly() throws {
        let request = Self.conversation(5)
        let body = try Self.json(try AnthropicFormat(baseURL: "http://x", apiKey: "k").chatRequest(for: request, streaming: true).body)
        let found = Self.breakpoints(body)
        #expect(found.map(\.0) == ["system", "message 10"])
        #expect(found.allSatisfy { $0.1 == nil })  // 5 minutes: no ttl member
        let control = try #require(((body["system"] as? [[String: Any]])?.first?["cache_control"]) as? [String: Any])
        #expect(control["type"] as? String == "ephemeral")
    }

    @Test func anthropicSendsTheCaseContextAsASecondSystemBlockWithoutItsOwnBreakpoint() throws {
        var request = Self.conversation(3)
        request.system = "You are an incident responder."
        request.systemContext = "\n\nCase facts:\n- ipv4: 203.0.113.45"
        let body = try Self.json(try AnthropicFormat(baseURL: "http://x", apiKey: "k").chatRequest(for: request, streaming: true).body)
        let system = try #require(body["system"] as? [[String: Any]])
        #expect(system.map { $0["text"] as? String } == [request.system, request.systemContext])
        #expect(system[0]["cache_control"] != nil)
        #expect(system[1]["cache_control"] == nil)
        #expect(Self.breakpoints(body).map(\.0) == ["system", "message 6"])
    }

    @Test func providersWithOneSystemTextGetThePromptThenTheContext() throws {
        var request = Self.conversation(1)
        request.system = "Role."
        request.systemContext = " Facts."
        let openAI = try Self.json(try OpenAIFormat(provider: .openai, baseURL: "https://api.openai.com/v1", apiKey: "k")
            .chatRequest(for: request, streaming: true).body)
        #expect((openAI["messages"] as? [[String: Any]])?.first?["content"] as? String == "Role. Facts.")
        let ollama = try Self.json(try OllamaFormat(baseURL: "http://x").chatRequest(for: request, streaming: true).body)
        #expect((ollama["messages"] as? [[String: Any]])?.first?["content"] as? String == "Role. Facts.")
        let gemini = try Self.json(try GeminiFormat(baseURL: "http://x", apiKey: "k").chatRequest(for: request, streaming: true).body)
        let parts = (gemini["systemInstruction"] as? [String: Any])?["parts"] as? [[String: Any]]
        #expect(parts?.map { $0["text"] as? String } == ["Role. Facts."])
    }

    @Test func anthropicOneHourTTLIsWrittenOnEveryBreakpoint() throws {
        let request = Self.conversation(2, caching: PromptCaching(ttl: .oneHour))
        let body = try Self.json(try AnthropicFormat(baseURL: "http://x", apiKey: "k").chatRequest(for: request, streaming: false).body)
        #expect(Self.breakpoints(body).map(\.1) == ["1h", "1h"])
    }

    @Test(arguments: [0, 1, 2, 7, 40])
    func anthropicNeverSendsMoreThanFourBreakpoints(turns: Int) throws {
        for system in ["", "Be terse."] {
            var request = Self.conversation(turns)
            request.system = system
            let (blocks, messages) = AnthropicFormat.blocks(for: request)
            let count = AnthropicFormat.breakpointCount(system: blocks, messages: messages)
            #expect(count <= PromptCaching.maximumBreakpoints)
            #expect(count == (system.isEmpty ? 1 : 2))
        }
    }

    @Test func disabledCachingSendsNoHintsAnywhere() throws {
        let request = Self.conversation(3, caching: .disabled)
        let anthropic = try Self.json(try AnthropicFormat(baseURL: "http://x", apiKey: "k").chatRequest(for: request, streaming: true).body)
        #expect(Self.breakpoints(anthropic).isEmpty)
        let local = try Self.json(try OpenAIFormat(provider: .local, baseURL: "http://x/v1", apiKey: nil).chatRequest(for: request, streaming: true).body)
        #expect(local["cache_prompt"] == nil)
        let ollama = try Self.json(try OllamaFormat(baseURL: "http://x").chatRequest(for: request, streaming: true).body)
        #expect(ollama["keep_alive"] == nil)
    }

    @Test func openAIGetsTheSessionKeyAndLlamaCppGetsCachePromptButNeverTheOther() throws {
        let request = Self.conversation(1, caching: PromptCaching(sessionKey: "incident-repl-abc"))
        let openAI = try Self.json(try OpenAIFormat(provider: .openai, baseURL: "https://api.openai.com/v1", apiKey: "k")
            .chatRequest(for: request, streaming: true).body)
        #expect(openAI["prompt_cache_key"] as? String == "incident-repl-abc")
        #expect(openAI["cache_prompt"] == nil)
        let local = try Self.json(try OpenAIFormat(provider: .local, baseURL: "http://127.0.0.1:8080/v1", apiKey: nil)
            .chatRequest(for: request, streaming: true).body)
        #expect(local["cache_prompt"] as? Bool == true)
        #expect(local["prompt_cache_key"] == nil)
    }

    @Test func ollamaKeepsTheModelLoadedBetweenTurns() throws {
        let request = Self.conversation(1)
        let body = try Self.json(try OllamaFormat(baseURL: "http://x").chatRequest(for: request, streaming: true).body)
        #expect(body["keep_alive"] as? String == "30m")
    }
}
