import ConversationCore
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Message texts as a provider receives them, whatever its shape (a string, or text blocks/parts).
enum SentMessages {
    static func texts(of request: RecordedRequest, format: ProviderFormat) -> [String] {
        let json = request.json()
        func text(_ value: JSONValue?) -> String {
            if let string = value?.string { return string }
            return (value?.array ?? []).compactMap { $0["text"]?.string }.joined()
        }
        switch format {
        case .gemini:
            return (json?["contents"]?.array ?? []).map { text($0["parts"]) }
        default:
            return (json?["messages"]?.array ?? []).filter { $0["role"]?.string != "system" }.map { text($0["content"]) }
        }
    }
}

@Suite("An empty answer never breaks the next request")
struct EmptyAnswerTests {
    @Test(arguments: [ProviderFormat.anthropic, .gemini, .openai])
    func anEmptyAnswerIsKeptMarkedAndTheNextRequestHasNoEmptyMessage(format: ProviderFormat) async throws {
        let script = ScriptedHandler(
            steps: [{ _ in .stream(format, deltas: []) }], then: { _ in .stream(format, deltas: ["Fine."]) })
        let server = try LoopbackServer(handler: script.handler)
        defer { server.stop() }

        let run = try await SessionHarness.run(
            format, lines: ["Is 203.0.113.45 known?", "What about WS-042?", "/history"], server: server)

        #expect(run.session.failedTurns == 0)
        let messages = run.session.conversation.messages
        #expect(messages.map(\.text) == ["Is 203.0.113.45 known?", "", "What about WS-042?", "Fine."])
        #expect(run.stderr.contains("empty answer"))
        #expect(run.stdout.contains("(empty answer"))
        let second = try #require(run.requests.last)
        let sent = SentMessages.texts(of: second, format: format)
        #expect(sent.count == 3)
        #expect(sent.allSatisfy { !Message.isBlank($0) }, "sent: \(sent)")
        #expect(sent[1] == Message.emptyAnswerPlaceholder)
    }

    @Test func aResumedConversationWithAnEmptyAnswerSendsThePlaceholder() throws {
        var conversation = Conversation(systemPrompt: "s")
        conversation.appendUser("first")
        conversation.appendAssistant("   ")
        conversation.appendUser("second")
        var filter = OutboundFilter(mode: .off)
        let view = try conversation.makeView(
            budget: ContextBudget(contextWindow: 8192, reservedForAnswer: 256), estimator: TokenEstimator(key: "t"))
        let sent = filter.filter(view, endpoint: "http://127.0.0.1:1").messages.map(\.content)
        #expect(sent[1] == Message.emptyAnswerPlaceholder)
    }
}
