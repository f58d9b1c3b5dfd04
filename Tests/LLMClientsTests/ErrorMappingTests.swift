import LLMClients
import Testing

@Suite("Provider errors")
struct ErrorMappingTests {
    @Test func recognisesEveryProvidersContextOverflow() {
        let anthropic = AnthropicFormat(baseURL: "x", apiKey: nil).decodeError(
            status: 400, body: Array(#"{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208310 tokens > 200000 maximum"}}"#.utf8), model: "m")
        let openAI = OpenAIFormat(baseURL: "x", apiKey: nil).decodeError(
            status: 400, body: Array(#"{"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}"#.utf8), model: "m")
        let llama = OpenAIFormat(provider: .local, baseURL: "x", apiKey: nil).decodeError(
            status: 400, body: Array(#"{"error":{"code":400,"message":"request (3031 tokens) exceeds the available context size (2048 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":3031,"n_ctx":2048}}"#.utf8), model: "m")
        #expect(anthropic.isContextOverflow)
        #expect(openAI.isContextOverflow && openAI.type == "context_length_exceeded")
        #expect(llama.isContextOverflow && llama.type == "exceed_context_size_error")
    }

    @Test func namesTheKeyVariableOnAuthenticationFailure() {
        let failure = AnthropicFormat(baseURL: "x", apiKey: nil).decodeError(
            status: 401, body: Array(#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#.utf8), model: "m")
        #expect(failure.description.contains("ANTHROPIC_API_KEY"))
        #expect(!failure.isRetryable)
    }

    @Test func keepsANonJSONErrorBodyReadable() {
        let failure = OpenAIFormat(baseURL: "x", apiKey: nil).decodeError(status: 502, body: Array("<html>Bad gateway</html>".utf8), model: "m")
        #expect(failure.message.contains("Bad gateway"))
        #expect(failure.isRetryable)
    }

    @Test func doesNotRetryAnExhaustedQuota() {
        let failure = OpenAIFormat(baseURL: "x", apiKey: nil).decodeError(
            status: 429, body: Array(#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#.utf8), model: "m")
        #expect(failure.isQuotaExhausted)
        #expect(!failure.isRetryable)
    }
}

@Suite("Retry policy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxRetries: 2, random: { 0 })

    func failure(_ status: Int, retryAfter: Duration? = nil, shouldRetry: Bool? = nil) -> LLMClientError {
        .provider(ProviderFailure(provider: .anthropic, status: status, type: nil, message: "", retryAfter: retryAfter, shouldRetry: shouldRetry))
    }

    @Test(arguments: [408, 409, 429, 500, 503, 529])
    func retriesTransientStatuses(status: Int) {
        #expect(policy.delay(after: failure(status), retry: 0) == .milliseconds(500))
        #expect(policy.delay(after: failure(status), retry: 1) == .milliseconds(1000))
        #expect(policy.delay(after: failure(status), retry: 2) == nil)
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func neverRetriesClientErrors(status: Int) {
        #expect(policy.delay(after: failure(status), retry: 0) == nil)
    }

    @Test func obeysTheShouldRetryHeaderOverTheStatus() {
        #expect(policy.delay(after: failure(500, shouldRetry: false), retry: 0) == nil)
        #expect(policy.delay(after: failure(400, shouldRetry: true), retry: 0) != nil)
    }

    @Test func honoursServerDelaysUpToTheCapAndNoLonger() {
        #expect(policy.delay(after: failure(429, retryAfter: .milliseconds(1500)), retry: 0) == .milliseconds(1500))
        #expect(policy.delay(after: failure(429, retryAfter: .seconds(3600)), retry: 0) == nil)
    }

    @Test func backsOffExponentiallyToEightSecondsWithAtMostAQuarterJitter() {
        let jittered = RetryPolicy(maxRetries: 10, random: { 1 })
        #expect(policy.backoff(5) == .seconds(8))
        #expect(jittered.backoff(0) == .milliseconds(375))
        #expect(jittered.backoff(6) == .seconds(6))
    }

    @Test func readsRetryAfterInMillisecondsSecondsAndHTTPDates() {
        #expect(RetryPolicy.serverDelay(headers: ["retry-after-ms": "1500", "retry-after": "9"]) == .milliseconds(1500))
        #expect(RetryPolicy.serverDelay(headers: ["retry-after": "2"]) == .seconds(2))
        let now = 1_445_412_480  // Wed, 21 Oct 2015 07:28:00 GMT
        #expect(RetryPolicy.serverDelay(headers: ["retry-after": "Wed, 21 Oct 2015 07:28:30 GMT"], now: now) == .seconds(30))
        #expect(RetryPolicy.serverDelay(headers: [:]) == nil)
    }
}
