/// Known context windows, for when the provider cannot be asked.
///
/// Figures come from the providers' model pages and real "maximum context" errors; the REPL
/// should prefer a server-reported value (Anthropic, Gemini, Ollama, llama-server) or
/// `--context-window N` when it has one.
public enum ModelCatalog {
    /// The window assumed for a model this catalog does not know: small, so nothing overflows.
    public static let defaultContextWindow = 8_192

    /// Prefix rules, most specific first, matched against the lower-cased model name with any
    /// `provider/` prefix removed.
    static let rules: [(prefix: String, window: Int)] = [
        ("claude-", 200_000),
        ("gpt-4.1", 1_047_576),
        ("gpt-4o", 128_000),
        ("gpt-4-turbo", 128_000),
        ("gpt-4", 8_192),
        ("gpt-3.5-turbo", 16_385),
        ("o1", 200_000),
        ("o3", 200_000),
        ("o4-mini", 200_000),
        ("gemini-1.5-pro", 2_097_152),
        ("gemini-1.5-flash", 1_048_576),
        ("gemini-2.0-flash", 1_048_576),
        ("gemini-2.5-", 1_048_576),
        ("llama3.1", 131_072),
        ("llama3.2", 131_072),
        ("llama3.3", 131_072),
        ("llama-3.1", 131_072),
        ("llama-3.2", 131_072),
        ("llama-3.3", 131_072),
        ("llama3", 8_192),
        ("llama-3", 8_192),
        ("llama2", 4_096),
        ("mistral-nemo", 131_072),
        ("mistral", 32_768),
        ("mixtral", 32_768),
        ("qwen2.5", 32_768),
        ("qwen3", 40_960),
        ("gemma3", 131_072),
        ("gemma2", 8_192),
        ("phi3", 4_096),
        ("phi4", 16_384),
        ("deepseek-r1", 131_072),
    ]

    /// The context window of a known model, or `nil` when the model is unknown.
    ///
    /// `claude-sonnet-4-5`, `anthropic/claude-…`, `llama3.1:8b` and `gemini-2.5-flash` all match;
    /// any `gemini-…-flash` not listed gets 1,048,576.
    public static func contextWindow(for model: String) -> Int? {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        for rule in rules where name.hasPrefix(rule.prefix) { return rule.window }
        if name.hasPrefix("gemini-") && name.contains("-flash") { return 1_048_576 }
        return nil
    }

    /// The context window of a model, or ``defaultContextWindow`` when it is unknown.
    public static func contextWindowOrDefault(for model: String) -> Int {
        contextWindow(for: model) ?? defaultContextWindow
    }
}
