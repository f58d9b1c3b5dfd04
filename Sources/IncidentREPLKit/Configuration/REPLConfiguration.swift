public import LLMClients

/// Everything the command line says, already parsed; the executable fills it in.
public struct REPLConfiguration: Sendable {
    public var provider: String?
    public var model: String?
    public var baseURL: String?
    public var maxTokens: Int = 1024
    /// Whether `--max-tokens` was given (otherwise the answer limit is sized to the window).
    public var maxTokensChosen = false
    public var contextWindow: Int?
    public var role: String = "incident-response"
    public var system: String?
    public var temperature: Double?
    /// `drop-oldest`, `last-n` or `summarise`.
    public var strategy: String = "drop-oldest"
    /// Exchanges kept by `last-n`.
    public var keepTurns: Int?
    public var connectTimeout: Double = 10
    public var stallTimeout: Double = 120
    public var maxRetries: Int = 2
    public var caBundle: String?
    public var allowInsecureHTTP = false
    public var auditLog: String?
    /// Secret redaction: automatic (remote providers only), forced on, or off.
    public var redaction: OutboundFilter.Mode = .automatic
    /// Whether ``redaction`` came from `--redact` / `--no-redact` (otherwise a resumed session keeps its own).
    public var redactionFromFlag = false
    /// The config file, instead of `$XDG_CONFIG_HOME/incident-repl/config.toml`.
    public var configPath: String?
    /// A name for a new journaled session.
    public var sessionName: String?
    /// Resume a journaled session: `.some(nil)` for the latest, `.some(name)` for a named one.
    public var resume: String??
    /// The context size for an embedded server this process starts.
    public var localContextSize: Int = 8192
    /// A GGUF file for the embedded server to serve instead of SmolLM2-135M.
    public var localModel: String?
    /// The embedded server's repetition penalty and DRY multiplier (defaults in ``LocalModelSettings``).
    public var repeatPenalty: Double?
    public var dryMultiplier: Double?
    /// Answers exactly as the model sent them (sanitized), not rendered, even on a terminal.
    public var plain = false
    /// Evidence files (`--file PATH[:FIRST-LAST]`, repeatable) attached to the first question.
    public var evidencePaths: [String] = []
    /// The lifetime of Anthropic prompt-cache entries (`--cache-ttl 5m|1h`).
    public var cacheTTL: PromptCaching.TTL = .fiveMinutes

    public init() {}

    /// How `--cache-ttl` may be spelled.
    public static let cacheTTLSpellings = PromptCaching.TTL.allCases.map(\.rawValue)

    /// Sets ``cacheTTL`` from its spelling (`5m` or `1h`); anything else leaves it unchanged.
    public mutating func setCacheTTL(_ spelling: String) {
        if let ttl = PromptCaching.TTL(rawValue: spelling) { cacheTTL = ttl }
    }
}
