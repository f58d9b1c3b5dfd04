import ConversationCore
import IncidentREPLKit
import LLMClients
#if canImport(Glibc)
import Glibc
#endif

/// Runs a `ChatSession` over a scripted transcript, as a piped `incident-repl` would, with its
/// output thrown away: the cache benchmarks measure what reaches the provider, not the terminal.
enum ScriptedSessionRun {
    /// Writes `lines` to a private temporary transcript, runs the session to its end, cleans up.
    static func run(
        lines: [String], systemPrompt: String, strategy: String, options: ChatSession.Options, client: any LLMClient
    ) async -> ChatSession {
        let path = "/tmp/incident-bench-transcript-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).txt"
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        FileHandleless.write(lines.joined(separator: "\n") + "\n", to: file)
        close(file)
        let input = open(path, O_RDONLY)
        let sink = open("/dev/null", O_WRONLY)
        defer {
            close(input)
            close(sink)
            unlink(path)
        }
        let session = ChatSession(
            conversation: Conversation(systemPrompt: systemPrompt,
                                       strategy: (try? TruncationStrategy(parsing: strategy)) ?? .dropOldest),
            options: options, client: client, input: ScriptedInput(descriptor: input),
            output: TerminalOutput(descriptor: sink, environment: [:]),
            errors: TerminalOutput(descriptor: sink, environment: [:]))
        await session.run()
        return session
    }
}
