import LoopbackProvider
import Testing

@Suite("Provider faults")
struct FaultTests {
    @Test(arguments: ProviderFormat.allCases)
    func rateLimitedCarriesRetryHeaders(format: ProviderFormat) throws {
        let response = try fetch(.fault(format, .rateLimited(retryAfter: "2", retryAfterMilliseconds: "1500")))
        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "2")
        #expect(response.headers["retry-after-ms"] == "1500")
        #expect(JSONValue.parse(response.body)?["error"] != nil)
    }

    @Test func rateLimitedBodiesMatchEachProvider() {
        #expect(Reply.fault(.anthropic, .rateLimited()).bodyText.contains(#""type":"rate_limit_error""#))
        #expect(Reply.fault(.openai, .rateLimited()).bodyText.contains(#""code":"rate_limit_exceeded""#))
        #expect(Reply.fault(.gemini, .rateLimited()).bodyText.contains(#""status":"RESOURCE_EXHAUSTED""#))
        #expect(JSONValue.parse(Reply.fault(.ollama, .rateLimited()).bodyText)?["error"]?.string != nil)
        #expect(Reply.fault(.anthropic, .rateLimited()).header("retry-after") == nil)
    }

    @Test func overloadedIs529ForAnthropicOnly() {
        #expect(Reply.fault(.anthropic, .overloaded).status == 529)
        #expect(Reply.fault(.anthropic, .overloaded).bodyText.contains("overloaded_error"))
        for format in [ProviderFormat.openai, .gemini, .ollama, .llamaCpp] {
            #expect(Reply.fault(format, .overloaded).status == 503)
        }
    }

    @Test(arguments: ProviderFormat.allCases)
    func statusFaultsHaveProviderBodies(format: ProviderFormat) throws {
        #expect(Reply.fault(format, .serverError()).status == 500)
        #expect(Reply.fault(format, .serverError(status: 502)).status == 502)
        #expect(Reply.fault(format, .unavailable).status == 503)
        #expect(Reply.fault(format, .unauthorized).status == 401)
        #expect(Reply.fault(format, .modelNotFound("ghost")).status == 404)
        #expect(Reply.fault(format, .modelNotFound("ghost")).bodyText.contains("ghost"))
        for fault in [Fault.serverError(), .unavailable, .unauthorized, .modelNotFound(), .quotaExhausted] {
            let json = try #require(JSONValue.parse(Reply.fault(format, fault).bodyBytes))
            #expect(json["error"] != nil)
        }
    }

    @Test func unauthorizedAndNotFoundShapes() {
        #expect(Reply.fault(.anthropic, .unauthorized).bodyText.contains(#""type":"authentication_error""#))
        #expect(Reply.fault(.openai, .unauthorized).bodyText.contains(#""code":"invalid_api_key""#))
        #expect(Reply.fault(.gemini, .unauthorized).bodyText.contains(#""status":"UNAUTHENTICATED""#))
        #expect(Reply.fault(.ollama, .modelNotFound("x")).bodyText == #"{"error":"model \"x\" not found, try pulling it first"}"#)
        #expect(Reply.fault(.gemini, .modelNotFound("m")).bodyText.contains(#""status":"NOT_FOUND""#))
        #expect(Reply.fault(.openai, .modelNotFound("m")).bodyText.contains(#""code":"model_not_found""#))
    }

    @Test func contextOverflowMatchesRealErrors() throws {
        let anthropic = Reply.fault(.anthropic, .contextOverflow())
        #expect(anthropic.status == 400)
        #expect(JSONValue.parse(anthropic.bodyBytes)?["error"]?["message"]?.string == "prompt is too long: 208310 tokens > 200000 maximum")
        #expect(JSONValue.parse(anthropic.bodyBytes)?["error"]?["type"]?.string == "invalid_request_error")
        let openai = try #require(JSONValue.parse(Reply.fault(.openai, .contextOverflow()).bodyBytes))
        #expect(openai["error"]?["code"]?.string == "context_length_exceeded")
        #expect(openai["error"]?["param"]?.string == "messages")
        let llama = try #require(JSONValue.parse(Reply.fault(.llamaCpp, .contextOverflow()).bodyBytes))
        #expect(llama["error"]?["type"]?.string == "exceed_context_size_error")
        #expect(llama["error"]?["n_ctx"]?.int == 8192)
        let gemini = Reply.fault(.gemini, .contextOverflow())
        #expect(gemini.status == 400)
        #expect(JSONValue.parse(gemini.bodyBytes)?["error"]?["message"]?.string
            == "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).")
        #expect(JSONValue.parse(gemini.bodyBytes)?["error"]?["status"]?.string == "INVALID_ARGUMENT")
    }

    @Test func ollamaContextOverflowIsSilentTruncation() throws {
        let response = try fetch(.fault(.ollama, .contextOverflow(limit: 4096)))
        #expect(response.status == 200)
        let last = try #require(parseNDJSON(response.bodyText).last ?? nil)
        #expect(last["done"]?.bool == true)
        #expect(last["prompt_eval_count"]?.int == 4096)
    }

    @Test func quotaExhaustedIsNotARateLimit() throws {
        let reply = Reply.fault(.openai, .quotaExhausted)
        #expect(reply.status == 429)
        let json = try #require(JSONValue.parse(reply.bodyBytes))
        #expect(json["error"]?["code"]?.string == "insufficient_quota")
        #expect(json["error"]?["type"]?.string == "insufficient_quota")
    }

    @Test(arguments: ProviderFormat.allCases)
    func streamCutStopsAfterDeltas(format: ProviderFormat) throws {
        let response = try fetch(.fault(format, .streamCut(afterDeltas: 2), deltas: ["a", "b", "c", "d"]))
        #expect(response.status == 200)
        #expect(!response.complete)
        let text = response.bodyText
        #expect(text.contains(#""a""#) && text.contains(#""b""#) && !text.contains(#""c""#))
        #expect(!text.contains("message_stop") && !text.contains("[DONE]") && !text.contains(#""done":true"#))
    }

    @Test func inStreamErrorsMatchEachProvider() throws {
        let anthropic = parseServerSentEvents(try fetch(.fault(.anthropic, .inStreamError())).bodyText)
        #expect(anthropic.last?.name == "error")
        #expect(anthropic.last?.json?["error"]?["type"]?.string == "overloaded_error")
        #expect(!anthropic.contains { $0.name == "message_stop" })
        for format in [ProviderFormat.openai, .gemini] {
            let response = try fetch(.fault(format, .inStreamError(afterDeltas: 2)))
            #expect(response.complete)
            let events = parseServerSentEvents(response.bodyText)
            #expect(events.last?.json?["error"]?["message"]?.string != nil)
            #expect(!response.bodyText.contains("[DONE]"))
        }
        let ollama = parseNDJSON(try fetch(.fault(.ollama, .inStreamError())).bodyText)
        #expect(ollama.last??["error"]?.string != nil)
        #expect(ollama.count == 2)
    }

    @Test(arguments: ProviderFormat.allCases)
    func malformedEventIsNotJSON(format: ProviderFormat) throws {
        let continuing = try fetch(.fault(format, .malformedEvent(afterDeltas: 1, thenContinue: true), deltas: ["a", "b"]))
        let ending = try fetch(.fault(format, .malformedEvent(afterDeltas: 1, thenContinue: false), deltas: ["a", "b"]))
        #expect(continuing.complete && ending.complete)
        if format == .ollama {
            #expect(parseNDJSON(continuing.bodyText).contains { $0 == nil })
            #expect(parseNDJSON(continuing.bodyText).last??["done"]?.bool == true)
            #expect(parseNDJSON(ending.bodyText).last! == nil)
        } else {
            let events = parseServerSentEvents(continuing.bodyText)
            #expect(events.contains { $0.json == nil && $0.data != "[DONE]" })
            #expect(parseServerSentEvents(ending.bodyText).last?.json == nil)
            #expect(continuing.bodyText.contains(#""b""#) && !ending.bodyText.contains(#""b""#))
        }
    }

    @Test func slowFirstByteDelaysTheHead() throws {
        let response = try fetch(.fault(.openai, .slowFirstByte(.milliseconds(300))))
        #expect(response.headTime >= 0.28)
        #expect(response.complete)
    }

    @Test func trickleSpacesTheDeltas() throws {
        let response = try fetch(.fault(.anthropic, .trickle(interval: .milliseconds(50)), deltas: ["a", "b", "c"]))
        // 3 head events + 3 deltas + 3 tail events = 9 chunks, 8 gaps of 50 ms.
        #expect(response.chunkSizes.count == 9)
        #expect(response.chunkTimes[8] - response.chunkTimes[0] >= 0.38)
    }

    @Test func hugeAnswerIsAboutThatBig() throws {
        let reply = Reply.fault(.openai, .hugeAnswer(bytes: 1_000_000))
        let response = try fetch(reply)
        #expect(response.complete)
        let text = parseServerSentEvents(response.bodyText).compactMap { $0.json?["choices"]?[0]?["delta"]?["content"]?.string }.joined()
        #expect(text.utf8.count >= 990_000 && text.utf8.count <= 1_010_000)
    }

    @Test(arguments: ProviderFormat.allCases)
    func shouldRetryHeaderVariants(format: ProviderFormat) {
        let retryable400 = Reply.fault(format, .shouldRetry(true))
        #expect(retryable400.status == 400 && retryable400.header("x-should-retry") == "true")
        let final500 = Reply.fault(format, .shouldRetry(false))
        #expect(final500.status == 500 && final500.header("x-should-retry") == "false")
    }
}
