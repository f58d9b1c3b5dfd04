import LoopbackProvider
import Testing

/// Fetches `reply` through a real server and raw socket.
func fetch(_ reply: Reply, path: String = "/", body: String = "{}") throws -> RawHTTPClient.Response {
    let server = try LoopbackServer { _ in reply }
    defer { server.stop() }
    return try RawHTTPClient(port: server.port).request("POST", path, body: body)
}

@Suite("Provider streams and answers")
struct ProviderStreamTests {
    @Test func anthropicStreamHasExactEventSequence() throws {
        let response = try fetch(.stream(.anthropic, deltas: ["Hi", " \"there\"\n"], usage: TokenUsage(input: 7, output: 3)))
        #expect(response.status == 200 && response.complete)
        #expect(response.headers["content-type"]?.hasPrefix("text/event-stream") == true)
        let events = parseServerSentEvents(response.bodyText)
        #expect(events.map(\.name) == [
            "message_start", "content_block_start", "ping", "content_block_delta", "content_block_delta",
            "content_block_stop", "message_delta", "message_stop",
        ])
        for event in events {
            let json = try #require(event.json, "not JSON: \(event.data)")
            #expect(json["type"]?.string == event.name)
        }
        #expect(events[0].json?["message"]?["usage"]?["input_tokens"]?.int == 7)
        let text = events.compactMap { $0.json?["delta"]?["text"]?.string }.joined()
        #expect(text == "Hi \"there\"\n")
        #expect(events[6].json?["usage"]?["output_tokens"]?.int == 3)
        #expect(events[6].json?["delta"]?["stop_reason"]?.string == "end_turn")
    }

    @Test(arguments: [ProviderFormat.openai, .llamaCpp])
    func openAIStreamEndsWithUsageChunkAndDone(format: ProviderFormat) throws {
        let response = try fetch(.stream(format, deltas: ["a", "b", "c"], usage: TokenUsage(input: 79, output: 11)))
        let events = parseServerSentEvents(response.bodyText)
        #expect(events.allSatisfy { $0.name == nil })
        #expect(events.last?.data == "[DONE]")
        let chunks = try events.dropLast().map { try #require($0.json) }
        #expect(chunks.allSatisfy { $0["object"]?.string == "chat.completion.chunk" })
        #expect(chunks.first?["choices"]?[0]?["delta"]?["role"]?.string == "assistant")
        let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.string }.joined()
        #expect(text == "abc")
        let finish = chunks[chunks.count - 2]
        #expect(finish["choices"]?[0]?["finish_reason"]?.string == "stop")
        let usage = try #require(chunks.last)
        #expect(usage["choices"]?.array?.isEmpty == true)
        #expect(usage["usage"]?["prompt_tokens"]?.int == 79)
        #expect(usage["usage"]?["completion_tokens"]?.int == 11)
        #expect(usage["usage"]?["total_tokens"]?.int == 90)
        #expect((usage["timings"] != nil) == (format == .llamaCpp))
    }

    @Test func geminiStreamHasUsageOnEveryChunkAndNoDone() throws {
        let response = try fetch(.stream(.gemini, deltas: ["Hi", " there."], usage: TokenUsage(input: 5, output: 3)))
        let events = parseServerSentEvents(response.bodyText)
        #expect(events.count == 2)
        #expect(!response.bodyText.contains("[DONE]"))
        let chunks = try events.map { try #require($0.json) }
        let text = chunks.compactMap { $0["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string }.joined()
        #expect(text == "Hi there.")
        #expect(chunks.allSatisfy { $0["usageMetadata"]?["promptTokenCount"]?.int == 5 })
        #expect(chunks[0]["candidates"]?[0]?["finishReason"] == nil)
        #expect(chunks[1]["candidates"]?[0]?["finishReason"]?.string == "STOP")
        #expect(chunks[1]["usageMetadata"]?["candidatesTokenCount"]?.int == 3)
        #expect(chunks[1]["usageMetadata"]?["totalTokenCount"]?.int == 8)
        #expect(chunks[1]["candidates"]?[0]?["content"]?["role"]?.string == "model")
    }

    @Test func ollamaStreamIsNDJSONEndingInDone() throws {
        let response = try fetch(.stream(.ollama, deltas: ["Hi", "!"], usage: TokenUsage(input: 26, output: 282)))
        #expect(response.headers["content-type"] == "application/x-ndjson")
        let lines = parseNDJSON(response.bodyText)
        #expect(lines.count == 3)
        let objects = try lines.map { try #require($0) }
        #expect(objects.map { $0["done"]?.bool } == [false, false, true])
        #expect(objects.compactMap { $0["message"]?["content"]?.string }.joined() == "Hi!")
        #expect(objects[2]["prompt_eval_count"]?.int == 26)
        #expect(objects[2]["eval_count"]?.int == 282)
        #expect(objects[2]["done_reason"]?.string == "stop")
    }

    @Test(arguments: ProviderFormat.allCases)
    func nonStreamedAnswerCarriesText(format: ProviderFormat) throws {
        let response = try fetch(.answer(format, text: "Hello!", usage: TokenUsage(input: 12, output: 5)))
        #expect(response.headers["content-length"] != nil)
        let json = try #require(JSONValue.parse(response.body))
        let text: String? = switch format {
        case .anthropic: json["content"]?[0]?["text"]?.string
        case .openai, .llamaCpp: json["choices"]?[0]?["message"]?["content"]?.string
        case .gemini: json["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string
        case .ollama: json["message"]?["content"]?.string
        }
        #expect(text == "Hello!")
    }

    @Test(arguments: ProviderFormat.allCases)
    func successPicksStreamOrJSONFromRequest(format: ProviderFormat) throws {
        let streaming = RecordedRequest(method: "POST", path: format.chatPath(stream: true), body: Array(#"{"stream":true}"#.utf8))
        let plain = RecordedRequest(method: "POST", path: format.chatPath(stream: false), body: Array(#"{"stream":false}"#.utf8))
        #expect(format.wantsStream(streaming))
        #expect(!format.wantsStream(plain))
        #expect(Reply.success(format, for: streaming).chunked)
        #expect(!Reply.success(format, for: plain).chunked)
    }

    @Test func ollamaStreamsByDefault() {
        let request = RecordedRequest(method: "POST", path: "/api/chat", body: Array(#"{"model":"m"}"#.utf8))
        #expect(ProviderFormat.ollama.wantsStream(request))
        #expect(!ProviderFormat.openai.wantsStream(request))
    }

    @Test(arguments: [ProviderFormat.openai, .anthropic, .gemini, .ollama])
    func prerenderedStreamParses(format: ProviderFormat) throws {
        let stream = PrerenderedStream(format, deltaCount: 1_000, delta: "tok ", writeSize: 16 * 1024)
        #expect(stream.reply.parts.count > 1)
        let response = try fetch(stream.reply)
        #expect(response.complete)
        #expect(response.body.count == stream.byteCount)
        let texts: [String]
        if format == .ollama {
            texts = parseNDJSON(response.bodyText).compactMap { $0?["message"]?["content"]?.string }
        } else {
            texts = parseServerSentEvents(response.bodyText).compactMap { event in
                let json = event.json
                return json?["delta"]?["text"]?.string
                    ?? json?["choices"]?[0]?["delta"]?["content"]?.string
                    ?? json?["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.string
            }
        }
        #expect(texts.joined().utf8.count == stream.textByteCount)
        #expect(texts.filter { $0 == "tok " }.count == 1_000)
    }

    @Test func answerHandlerServesHealthPropsAndChat() throws {
        let server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(deltas: ["x", "y"]))
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("GET", "/health").bodyText == #"{"status":"ok"}"#)
        #expect(JSONValue.parse(try client.request("GET", "/props").body)?["default_generation_settings"]?["n_ctx"]?.int == 8192)
        #expect(try client.request("POST", "/v1/chat/completions", body: #"{"stream":true}"#).headers["transfer-encoding"] == "chunked")
        #expect(try client.request("POST", "/v1/chat/completions", body: "{}").headers["content-type"] == "application/json")
        #expect(try client.request("GET", "/nope").status == 404)
        #expect(server.connectionsAccepted == 1)
    }
}
