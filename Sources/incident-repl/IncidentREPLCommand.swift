import ArgumentParser
import ConversationCore
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

        Config file ($XDG_CONFIG_HOME/incident-repl/config.toml): `provider = "anthropic"` at the top, then a \
        [PROVIDER] table per provider with model, base_url and api_key (a file holding a key must be chmod 600), \
        and a [local] table with model_path, repeat_penalty and dry_multiplier for the embedded server. \
        Flags win over environment variables, which win over the file.

        Without a model: `incident-repl search TERM` searches every journaled session (indicators in any \
        spelling: defanged, any case, any IPv6 form), `incident-repl sessions` lists them, and \
        `incident-repl verify [SESSION]` checks a journal's hash chain.

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

    @Option(help: "The most tokens an answer may use (default: 1024, at most a quarter of the context window).")
    var maxTokens: Int?

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

    @Option(name: .customLong("file"), help: ArgumentHelp(
        "Evidence attached to the first question (repeatable; PATH:FIRST-LAST for a line range; .gz is read).",
        valueName: "path"))
    var evidence: [String] = []

    @Option(help: "Context size for an embedded local server that incident-repl starts.")
    var localContextSize: Int = 8192

    @Option(help: ArgumentHelp("A GGUF model file for the embedded llama.cpp server (default: SmolLM2-135M).", valueName: "path"))
    var localModel: String?

    @Option(help: "Repetition penalty of the embedded server (default 1.1; 1 turns it off).")
    var repeatPenalty: Double?

    @Option(help: "DRY anti-repetition sampler strength of the embedded server (default 0.8; 0 turns it off).")
    var dryMultiplier: Double?

    @Flag(help: "Print answers exactly as the model sent them (sanitized), without rendering Markdown.")
    var plain = false

    @Option(help: "How long Anthropic keeps the cached prompt between questions: 5m or 1h (1h writes cost 2x, 5m 1.25x).")
    var cacheTtl: String = "5m"

    /// `--resume` takes an optional name, which swift-argument-parser options cannot: a bare
    /// `--resume` (last, or followed by another option) becomes the hidden `--resume-latest`.
    static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // The case file's commands (no model needed); anything else starts the REPL as always.
        switch arguments.first {
        case "search": return SearchCommand.main(Array(arguments.dropFirst()))
        case "sessions": return SessionsCommand.main(Array(arguments.dropFirst()))
        case "verify": return VerifyCommand.main(Array(arguments.dropFirst()))
        default: break
        }
        for index in arguments.indices.reversed() where arguments[index] == "--resume" {
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if next.map({ $0.hasPrefix("-") }) ?? true { arguments[index] = "--resume-latest" }
        }
        await Self.main(arguments)
    }

    func validate() throws {
        if let maxTokens, maxTokens <= 0 { throw ValidationError("--max-tokens must be positive") }
        if let contextWindow, let maxTokens, contextWindow <= maxTokens {
            throw ValidationError("--context-window (\(contextWindow)) must exceed --max-tokens (\(maxTokens))")
        }
        guard connectTimeout > 0, stallTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard (0...10).contains(maxRetries) else { throw ValidationError("--max-retries must be between 0 and 10") }
        if let keepTurns, keepTurns < 1 { throw ValidationError("--keep-turns must be at least 1") }
        // The same spellings as /strategy accepts (last-n:5, lastn, summarize…).
        do {
            _ = try TruncationStrategy(parsing: strategy, keepTurns: keepTurns)
        } catch {
            throw ValidationError("--strategy: \(error)")
        }
        if session != nil, resumeName != nil || resumeLatest {
            throw ValidationError("--session names a new session; use --resume NAME to continue one")
        }
        guard REPLConfiguration.cacheTTLSpellings.contains(cacheTtl) else { throw ValidationError("--cache-ttl must be 5m or 1h") }
        guard localContextSize >= 256 else { throw ValidationError("--local-context-size must be at least 256") }
        if let repeatPenalty, !(repeatPenalty >= 1 && repeatPenalty <= 2) {
            throw ValidationError("--repeat-penalty must be between 1 and 2")
        }
        if let dryMultiplier, !(dryMultiplier >= 0 && dryMultiplier <= 5) {
            throw ValidationError("--dry-multiplier must be between 0 and 5")
        }
    }

    func run() async throws {
        var configuration = REPLConfiguration()
        configuration.provider = provider
        configuration.model = model
        configuration.baseURL = baseURL
        configuration.maxTokens = maxTokens ?? 1024
        configuration.maxTokensChosen = maxTokens != nil
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
        configuration.redactionFromFlag = redact != nil
        configuration.localContextSize = localContextSize
        configuration.localModel = localModel
        configuration.repeatPenalty = repeatPenalty
        configuration.dryMultiplier = dryMultiplier
        configuration.plain = plain
        configuration.setCacheTTL(cacheTtl)
        configuration.sessionName = session
        configuration.configPath = config
        configuration.evidencePaths = evidence
        if let resumeName { configuration.resume = .some(resumeName) } else if resumeLatest { configuration.resume = .some(nil) }
        let status = await REPLApp.run(configuration)
        if status != 0 { throw ExitCode(status) }
    }
}
