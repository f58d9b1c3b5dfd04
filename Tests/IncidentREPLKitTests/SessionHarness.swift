import ConversationCore
import Foundation
import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Synchronization

/// Runs a real `ChatSession` over a scripted transcript against a loopback provider, with the
/// retry sleeps recorded instead of slept.
struct SessionHarness {
    struct Run {
        var session: ChatSession
        var stdout: String
        var stderr: String
        var requests: [RecordedRequest]
        var sleeps: [Duration]
        /// The session's descriptors, open as long as the run is kept: a command run on the session
        /// afterwards (`/copy`) writes to its own files, never to a descriptor number that a test
        /// running in parallel has opened since. Keep the run, not only its session.
        var descriptors: OpenDescriptors
    }

    final class OpenDescriptors: Sendable {
        let values: [Int32]

        init(_ values: [Int32]) {
            self.values = values
        }

        deinit {
            for descriptor in values { close(descriptor) }
        }
    }

    static func client(_ format: ProviderFormat, baseURL: String, transport: any HTTPTransport, policy: RetryPolicy) -> any LLMClient {
        switch format {
        case .anthropic:
            AnthropicClient(format: AnthropicFormat(baseURL: baseURL, apiKey: "sk-ant-test"), transport: transport, retryPolicy: policy)
        case .openai, .llamaCpp:
            OpenAIClient(format: OpenAIFormat(baseURL: baseURL + "/v1", apiKey: "sk-test"), transport: transport, retryPolicy: policy)
        case .gemini:
            GeminiClient(format: GeminiFormat(baseURL: baseURL, apiKey: "AIza-test"), transport: transport, retryPolicy: policy)
        case .ollama:
            OllamaClient(format: OllamaFormat(baseURL: baseURL), transport: transport, retryPolicy: policy)
        }
    }

    static func provider(_ format: ProviderFormat) -> Provider {
        switch format {
        case .anthropic: .anthropic
        case .openai, .llamaCpp: .openai
        case .gemini: .gemini
        case .ollama: .ollama
        }
    }

    /// Runs `lines` as a piped transcript.
    static func run(
        _ format: ProviderFormat, lines: [String], server: LoopbackServer,
        transportOptions: TransportOptions = TransportOptions(), contextWindow: Int = 8192, maxTokens: Int = 256,
        interrupts: InterruptMonitor? = nil, configure: (ChatSession) -> Void = { _ in }
    ) async throws -> Run {
        try await run(format, lines: lines, baseURL: server.baseURL, recorded: { server.requests },
                      transportOptions: transportOptions, contextWindow: contextWindow, maxTokens: maxTokens,
                      interrupts: interrupts, configure: configure)
    }

    /// Runs `lines` against any base URL (a closed port, say).
    static func run(
        _ format: ProviderFormat, lines: [String], baseURL: String, recorded: () -> [RecordedRequest] = { [] },
        transportOptions: TransportOptions = TransportOptions(), contextWindow: Int = 8192, maxTokens: Int = 256,
        interrupts: InterruptMonitor? = nil, configure: (ChatSession) -> Void = { _ in }
    ) async throws -> Run {
        let sleeps = Mutex<[Duration]>([])
        let policy = RetryPolicy(maxRetries: 2, sleep: { delay in sleeps.withLock { $0.append(delay) } }, random: { 0 })
        let client = client(format, baseURL: baseURL, transport: CurlTransport(options: transportOptions), policy: policy)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("harness-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputPath = directory.appendingPathComponent("in").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: inputPath))
        let input = open(inputPath, O_RDONLY)
        let out = open(directory.appendingPathComponent("out").path, O_WRONLY | O_CREAT, 0o600)
        let err = open(directory.appendingPathComponent("err").path, O_WRONLY | O_CREAT, 0o600)
        let descriptors = OpenDescriptors([input, out, err])
        let session = ChatSession(
            conversation: Conversation(systemPrompt: "You are terse."),
            options: .init(provider: provider(format), model: ProviderFormat.defaultModel, maxTokens: maxTokens,
                           contextWindow: contextWindow),
            client: client, input: ScriptedInput(descriptor: input),
            output: TerminalOutput(descriptor: out, environment: [:]),
            errors: TerminalOutput(descriptor: err, environment: [:]), interrupts: interrupts
        )
        configure(session)
        await session.run()
        func read(_ name: String) -> String {
            (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
        }
        return Run(session: session, stdout: read("out"), stderr: read("err"), requests: recorded(),
                   sleeps: sleeps.withLock { $0 }, descriptors: descriptors)
    }

    /// The roles of the messages in a recorded chat request, in each provider's own shape.
    static func roles(of request: RecordedRequest, format: ProviderFormat) -> [String] {
        let json = request.json()
        switch format {
        case .gemini:
            return json?["contents"]?.array?.compactMap { $0["role"]?.string } ?? []
        default:
            return json?["messages"]?.array?.compactMap { $0["role"]?.string }.filter { $0 != "system" } ?? []
        }
    }
}
