/// Errors of the REPL layer: configuration, the local model server, files. Messages say what to do.
public enum REPLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A provider name nobody knows, and where it came from (a flag, a variable, a config file).
    case unknownProvider(String, source: String)
    case unknownRole(name: String, available: [String])
    case localServerUnavailable(String)
    case configuration(String)
    case file(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownProvider(let name, let source):
            return "unknown provider '\(name)' (from \(source)): choose one of local, anthropic, openai, gemini, ollama"
        case .unknownRole(let name, let available):
            return "no role named '\(name)'; available: \(available.joined(separator: ", ")) (or pass --system TEXT)"
        case .localServerUnavailable(let reason):
            return "the embedded local model could not start: \(reason)"
        case .configuration(let reason):
            return reason
        case .file(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
