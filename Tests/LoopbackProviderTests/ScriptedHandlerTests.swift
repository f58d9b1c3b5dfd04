import LoopbackProvider
import Testing

@Suite("ScriptedHandler")
struct ScriptedHandlerTests {
    @Test func servesQueueThenRepeatsLast() throws {
        let script = ScriptedHandler([
            .fault(.anthropic, .overloaded),
            .fault(.anthropic, .rateLimited(retryAfter: "1")),
            .stream(.anthropic, deltas: ["ok"]),
        ])
        let server = try LoopbackServer(handler: script.handler)
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        let statuses = try (0..<5).map { _ in try client.request("POST", "/v1/messages", body: "{}").status }
        #expect(statuses == [529, 429, 200, 200, 200])
        #expect(script.requestsServed == 5)
        #expect(script.remaining == 0)
        #expect(server.requests.count == 5)
    }

    @Test func fallbackReplyAfterQueue() throws {
        let server = try LoopbackServer(handler: ScriptedHandler([.fault(.openai, .serverError())], then: .text("fine")).handler)
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("GET", "/").status == 500)
        #expect(try client.request("GET", "/").bodyText == "fine")
        #expect(try client.request("GET", "/").bodyText == "fine")
    }

    @Test func stepsSeeTheRequest() {
        let script = ScriptedHandler(steps: [{ .text("first \($0.path)") }], then: { .text("later \($0.path)") })
        #expect(script.reply(to: RecordedRequest(method: "GET", path: "/a")).bodyText == "first /a")
        #expect(script.reply(to: RecordedRequest(method: "GET", path: "/b")).bodyText == "later /b")
    }

    @Test func emptyScriptAnswersEmptyJSON() {
        #expect(ScriptedHandler([]).reply(to: RecordedRequest(method: "GET", path: "/")).bodyText == "{}")
    }

    @Test func convenienceInitServesReplies() throws {
        let server = try LoopbackServer(replies: [.text("one"), .text("two")])
        defer { server.stop() }
        let client = try RawHTTPClient(port: server.port)
        #expect(try client.request("GET", "/").bodyText == "one")
        #expect(try client.request("GET", "/").bodyText == "two")
        #expect(try client.request("GET", "/").bodyText == "two")
    }
}
