public import LLMClients

/// Which provider, model and endpoint a conversation goes to, resolved from flags and the environment.
///
/// `local` is the default whenever the analyst has not chosen a provider (by flag or
/// `INCIDENT_REPL_PROVIDER`): an API key in the environment is not consent to send incident data to
/// a cloud.
public struct ProviderSettings: Sendable, Equatable {
    public var provider: Provider
    public var model: String
    /// The endpoint; `nil` for `local` means "start or reuse the embedded server".
    public var baseURL: String?
    public var apiKey: String?
    /// The variable the key came from (or should come from), named in errors.
    public var keyVariable: String?

    public static let defaultModels: [Provider: String] = [
        .local: "smollm2-135m-instruct",
        .anthropic: "claude-sonnet-4-5",
        .openai: "gpt-4o",
        .gemini: "gemini-2.5-flash",
        .ollama: "llama3.2",
    ]

    /// Resolves the settings.
    /// - Throws: ``REPLError`` for an unknown provider, ``LLMClientError`` for a missing key or an
    ///   insecure endpoint.
    public static func resolve(
        provider providerFlag: String?, model: String?, baseURL flagURL: String?, allowInsecureHTTP: Bool,
        environment: [String: String], config: ConfigFile? = nil
    ) throws -> ProviderSettings {
        func env(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        let chosen: (name: String, source: String) =
            providerFlag.map { ($0, "--provider") }
            ?? env("INCIDENT_REPL_PROVIDER").map { ($0, "INCIDENT_REPL_PROVIDER") }
            ?? config.flatMap { file in file.value("provider")?.string.map { ($0, "provider in \(file.path)") } }
            ?? ("local", "the default")
        let name = chosen.name
        guard let provider = Provider(rawValue: name.lowercased()) else {
            throw REPLError.unknownProvider(name, source: chosen.source)
        }
        // Flags win over the environment, which wins over the config file.
        let baseURL = flagURL ?? config?.string("base_url", for: provider).flatMap { $0.isEmpty ? nil : $0 }
        let configKey = config?.string("api_key", for: provider).flatMap { $0.isEmpty ? nil : $0 }
        let chosenModel = model ?? config?.string("model", for: provider) ?? defaultModels[provider] ?? "default"
        var settings = ProviderSettings(provider: provider, model: chosenModel, baseURL: baseURL, apiKey: nil, keyVariable: nil)
        switch provider {
        case .local:
            settings.baseURL = flagURL ?? baseURL
            settings.apiKey = env("LLAMA_API_KEY") ?? configKey
        case .anthropic:
            settings.baseURL = flagURL ?? env("ANTHROPIC_BASE_URL") ?? baseURL ?? "https://api.anthropic.com"
            settings.keyVariable = "ANTHROPIC_API_KEY"
            settings.apiKey = env("ANTHROPIC_API_KEY") ?? configKey
        case .openai:
            settings.baseURL = flagURL ?? env("OPENAI_BASE_URL") ?? baseURL ?? "https://api.openai.com/v1"
            settings.keyVariable = "OPENAI_API_KEY"
            settings.apiKey = env("OPENAI_API_KEY") ?? configKey
        case .gemini:
            settings.baseURL = flagURL ?? env("GOOGLE_GEMINI_BASE_URL") ?? baseURL ?? "https://generativelanguage.googleapis.com"
            settings.keyVariable = env("GOOGLE_API_KEY") != nil ? "GOOGLE_API_KEY" : "GEMINI_API_KEY"
            settings.apiKey = env("GOOGLE_API_KEY") ?? env("GEMINI_API_KEY") ?? configKey
        case .ollama:
            settings.baseURL = flagURL ?? env("OLLAMA_HOST").map(Self.ollamaURL) ?? baseURL ?? "http://127.0.0.1:11434"
            settings.apiKey = env("OLLAMA_API_KEY") ?? configKey
        }
        if let url = settings.baseURL {
            try Self.checkEndpoint(url, allowInsecureHTTP: allowInsecureHTTP)
            // A key is needed by the cloud APIs; a loopback server of the same protocol may need none.
            if settings.apiKey == nil, let variable = settings.keyVariable, !Self.isLoopback(url) {
                throw LLMClientError.missingAPIKey(provider: provider, variable: variable + " (or api_key in config.toml)")
            }
        }
        return settings
    }

    /// `OLLAMA_HOST` may be `host:port` or a URL.
    static func ollamaURL(_ host: String) -> String {
        host.contains("://") ? host : "http://" + host
    }

    /// Refuses plain http to anything but loopback unless allowed.
    static func checkEndpoint(_ url: String, allowInsecureHTTP: Bool) throws {
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else {
            throw LLMClientError.invalidEndpoint(url: url, reason: "only http:// and https:// URLs are supported")
        }
        if lower.hasPrefix("http://"), !allowInsecureHTTP, !isLoopback(url) {
            throw LLMClientError.insecureEndpoint(url: url)
        }
    }

    /// Whether the URL's host is this machine (127.0.0.0/8, ::1, localhost).
    public static func isLoopback(_ url: String) -> Bool {
        guard let schemeEnd = url.firstRange(of: "://") else { return false }
        var authority = Substring(url[schemeEnd.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" })
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let host: Substring
        if authority.hasPrefix("[") {
            host = authority.dropFirst().prefix { $0 != "]" }
        } else {
            host = authority.prefix { $0 != ":" }
        }
        let lower = host.lowercased()
        if lower == "localhost" || lower == "::1" { return true }
        // 127.0.0.0/8 as a literal address only: `127.0.0.1.example.com` is a remote name.
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
