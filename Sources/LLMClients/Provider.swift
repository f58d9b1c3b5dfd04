/// The families of model API that incident-repl speaks.
public enum Provider: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// The embedded llama.cpp server with the bundled SmolLM2 model, over its OpenAI-compatible face.
    case local
    /// Anthropic Messages (`/v1/messages`), or any Anthropic-compatible server.
    case anthropic
    /// OpenAI Chat Completions (`/v1/chat/completions`), or any OpenAI-compatible server.
    case openai
    /// Google Gemini `generateContent`.
    case gemini
    /// Ollama `/api/chat`.
    case ollama

    public var description: String { rawValue }

    /// The name shown to the analyst, e.g. in "rate limited by anthropic".
    public var displayName: String { rawValue }
}
