import ArgumentParser
import IncidentREPLKit

/// `incident-repl`: parses the command line, then hands over to ``REPLApp``.
@main
struct IncidentREPLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident-repl",
        abstract: "A terminal assistant for incident triage that remembers the whole investigation.",
        discussion: """
        With no provider chosen it runs offline against the embedded llama.cpp server and SmolLM2-135M.
        Cloud providers are used only when you choose one (--provider or INCIDENT_REPL_PROVIDER).

        Environment: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (without /v1); OPENAI_API_KEY, OPENAI_BASE_URL \
        (with /v1); GEMINI_API_KEY or GOOGLE_API_KEY; OLLAMA_HOST; INCIDENT_REPL_PROVIDER; NO_COLOR; \
        HTTPS_PROXY and NO_PROXY as curl reads them.

        Config file ($XDG_CONFIG_HOME/incident-repl/config.toml): `provider = "anthropic"` at the top, then a         [PROVIDER] table per provider with model, base_url and api_key (a file holding a key must be chmod 600).         Flags win over environment variables, which win over the file.

        Piped standard input is a scripted transcript: one turn per line, \"\"\" blocks for multi-line turns, \
        # comments; the exit status is 0 only if every turn succeeded.
        """,
        version: "0.1.0"
    )

    @Option(help: "local, anthropic, openai, gemini or ollama (default: local).")
    var provider: String?

    @Option(help: "The model name as the provider knows it.")
    var model: String?

    @Option(help: "The provider's base URL (OpenAI-style with /v1, Anthropic-style without).")
    var baseURL: String?

    @Option(help: "The most tokens an answer may use.")
    var maxTokens: Int = 1024

    @Option(help: "Override the model's context window, in tokens.")
    var contextWindow: Int?

    @Option(help: "The system prompt by role name (prompts/NAME.md).")
    var role: String = "incident-response"

    @Option(help: "The system prompt as text (overrides --role).")
    var system: String?

    @Option(help: "Sampling temperature.")
    var temperature: Double?

    @Option(help: "How older turns make room when the context fills: drop-oldest, last-n or summarise.")
    var strategy: String = "drop-oldest"

    @Option(help: "With --strategy last-n: how many exchanges to keep.")
    var keepTurns: Int?

    @Option(help: "Seconds allowed to connect.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds without a byte before an answer is abandoned.")
    var stallTimeout: Double = 120

    @Option(help: "Retries after a rate limit, overload or connection error.")
    var maxRetries: Int = 2

    @Option(help: "An extra CA bundle (PEM) for corporate TLS inspection.")
    var caBundle: String?

    @Flag(help: "Allow plain http:// to hosts that are not loopback.")
    var allowInsecureHTTP = false

    @Option(help: "Append every outgoing request (URL and body, never headers) to this file (0600).")
    var auditLog: String?

    @Flag(inversion: .prefixedNo, help: "Redact secrets before sending (default: on for remote providers, off for loopback).")
    var redact: Bool?

    @Option(help: "The config file (default: $XDG_CONFIG_HOME/incident-repl/config.toml, or INCIDENT_REPL_CONFIG).")
    var config: String?

    @Option(help: "A name for this session's journal (default: the date and time).")
    var session: String?

    @Option(name: .customLong("resume"), help: "Continue a journaled session; with no NAME, the latest.")
    var resumeName: String?

    @Flag(name: .customLong("resume-latest"), help: .hidden)
    var resumeLatest = false

    @Option(help: "Context size for an embedded local server that incident-repl starts.")
    var localContextSize: Int = 8192

    @Option(help: "How long Anthropic keeps the cached prompt between questions: 5m or 1h (1h writes cost 2x, 5m 1.25x).")
    var cacheTtl: String = "5m"

    /// `--resume` takes an optional name, which swift-argument-parser options cannot: a bare
    /// `--resume` (last, or followed by another option) becomes the hidden `--resume-latest`.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        for index in arguments.indices.reversed() where arguments[index] == "--resume" {
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if next.map({ $0.hasPrefix("-") }) ?? true { arguments[index] = "--resume-latest" }
        }
        await Self.main(arguments)
    }

    func validate() throws {
        guard maxTokens > 0 else { throw ValidationError("--max-tokens must be positive") }
        if let contextWindow, contextWindow <= maxTokens {
            throw ValidationError("--context-window (\(contextWindow)) must exceed --max-tokens (\(maxTokens))")
        }
        guard connectTimeout > 0, stallTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard (0...10).contains(maxRetries) else { throw ValidationError("--max-retries must be between 0 and 10") }
        if let keepTurns, keepTurns < 1 { throw ValidationError("--keep-turns must be at least 1") }
        guard ["drop-oldest", "last-n", "summarise", "summarize"].contains(strategy.lowercased()) else {
            throw ValidationError("--strategy must be drop-oldest, last-n or summarise")
        }
        if session != nil, resumeName != nil || resumeLatest {
            throw ValidationError("--session names a new session; use --resume NAME to continue one")
        }
        guard REPLConfiguration.cacheTTLSpellings.contains(cacheTtl) else { throw ValidationError("--cache-ttl must be 5m or 1h") }
        guard localContextSize >= 256 else { throw ValidationError("--local-context-size must be at least 256") }
    }

    func run() async throws {
        var configuration = REPLConfiguration()
        configuration.provider = provider
        configuration.model = model
        configuration.baseURL = baseURL
        configuration.maxTokens = maxTokens
        configuration.contextWindow = contextWindow
        configuration.role = role
        configuration.system = system
        configuration.temperature = temperature
        configuration.strategy = strategy
        configuration.keepTurns = keepTurns
        configuration.connectTimeout = connectTimeout
        configuration.stallTimeout = stallTimeout
        configuration.maxRetries = maxRetries
        configuration.caBundle = caBundle
        configuration.allowInsecureHTTP = allowInsecureHTTP
        configuration.auditLog = auditLog
        configuration.redaction = redact.map { $0 ? .on : .off } ?? .automatic
        configuration.localContextSize = localContextSize
        configuration.setCacheTTL(cacheTtl)
        configuration.sessionName = session
        configuration.configPath = config
        if let resumeName { configuration.resume = .some(resumeName) } else if resumeLatest { configuration.resume = .some(nil) }
        let status = await REPLApp.run(configuration)
        if status != 0 { throw ExitCode(status) }
    }
}
