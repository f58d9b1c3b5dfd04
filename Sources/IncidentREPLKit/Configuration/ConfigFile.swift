#if canImport(Glibc)
import Glibc
#endif
public import LLMClients

/// `$XDG_CONFIG_HOME/incident-repl/config.toml`: the default provider and, per provider, a model,
/// a base URL and optionally a key.
///
/// ```toml
/// provider = "anthropic"        # chosen by the analyst: used when no flag or variable says otherwise
///
/// [anthropic]
/// model = "claude-sonnet-4-5"
/// api_key = "sk-ant-…"          # only in a file nobody else can read (chmod 600)
///
/// [ollama]
/// base_url = "http://127.0.0.1:11434"
/// model = "llama3.2"
/// ```
///
/// The reader takes the subset of TOML a settings file needs (tables, strings, integers, decimals, booleans,
/// comments) and rejects the rest with the line number. TOMLKit would bring toml++ (C++) and link
/// Foundation into a binary that otherwise starts with FoundationEssentials only.
public struct ConfigFile: Sendable, Equatable {
    public var path: String
    /// Top-level keys under "", tables under their names.
    public var tables: [String: [String: Value]]

    public enum Value: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case boolean(Bool)
        case number(Double)

        public var string: String? { if case .string(let value) = self { value } else { nil } }
        public var integer: Int? { if case .integer(let value) = self { value } else { nil } }
        /// A number, integer or not.
        public var double: Double? {
            switch self {
            case .integer(let value): Double(value)
            case .number(let value): value
            default: nil
            }
        }
    }

    public init(path: String, tables: [String: [String: Value]] = [:]) {
        self.path = path
        self.tables = tables
    }

    /// The standard location.
    public static func standardPath(environment: [String: String]) -> String {
        StatePaths.configDirectory(environment: environment) + "/config.toml"
    }

    /// Loads and checks the file; `nil` when there is none.
    /// - Throws: ``REPLError`` when it cannot be read or parsed, or holds a key and is readable by others.
    public static func load(path: String) throws -> ConfigFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw REPLError.file(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            bytes += buffer[..<count]
            if bytes.count > 1 << 20 { throw REPLError.file(path: path, reason: "larger than 1 MB; not a settings file") }
        }
        let config = try parse(String(decoding: bytes, as: UTF8.self), path: path)
        if config.holdsKeys, info.st_mode & 0o077 != 0 || info.st_uid != getuid() {
            // As ssh refuses a private key others can read.
            let mode = String(info.st_mode & 0o777, radix: 8)
            throw REPLError.configuration(
                "\(path) holds an API key but its permissions 0\(mode) let others read it; run `chmod 600 \(path)` (refused, as ssh refuses loose keys)"
            )
        }
        return config
    }

    /// Whether any table has an `api_key`.
    public var holdsKeys: Bool {
        tables.values.contains { $0["api_key"] != nil }
    }

    /// A value from a table ("" for the top level).
    public func value(_ key: String, in table: String = "") -> Value? {
        tables[table]?[key]
    }

    /// The settings for one provider's table.
    public func string(_ key: String, for provider: Provider) -> String? {
        value(key, in: provider.rawValue)?.string
    }

    /// Parses the subset of TOML described above.
    public static func parse(_ text: String, path: String) throws -> ConfigFile {
        var config = ConfigFile(path: path)
        var table = ""
        config.tables[""] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = stripComment(rawLine).trimmingSpaces()
            if line.isEmpty { continue }
            func fail(_ reason: String) -> REPLError {
                .configuration("\(path):\(number + 1): \(reason)")
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[[") else { throw fail("expected [table]") }
                table = String(line.dropFirst().dropLast()).trimmingSpaces()
                guard !table.isEmpty, table.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw fail("invalid table name")
                }
                config.tables[table, default: [:]] = config.tables[table] ?? [:]
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<equals].trimmingSpaces()
            let raw = line[line.index(after: equals)...].trimmingSpaces()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw fail("invalid key '\(key)'")
            }
            guard config.tables[table]?[key] == nil else { throw fail("'\(key)' is set twice") }
            config.tables[table, default: [:]][key] = try parseValue(raw) ?? { throw fail("unsupported value for '\(key)' (use \"text\", a number, true or false)") }()
        }
        return config
    }

    private static func stripComment(_ line: Substring) -> Substring {
        var inString = false
        var escaped = false
        for index in line.indices {
            let character = line[index]
            if escaped { escaped = false; continue }
            if character == "\\" && inString { escaped = true; continue }
            if character == "\"" { inString.toggle() }
            if character == "#" && !inString { return line[..<index] }
        }
        return line
    }

    private static func parseValue(_ raw: String) throws -> Value? {
        if raw == "true" { return .boolean(true) }
        if raw == "false" { return .boolean(false) }
        if let number = Int(raw.replacing("_", with: "")) { return .integer(number) }
        if raw.first.map({ $0.isNumber || $0 == "-" || $0 == "+" }) == true, let number = Double(raw), number.isFinite {
            return .number(number)
        }
        guard raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") else { return nil }
        var result = ""
        var escaped = false
        for character in raw.dropFirst().dropLast() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                case "\"": result.append("\"")
                case "\\": result.append("\\")
                default: return nil
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                return nil
            } else {
                result.append(character)
            }
        }
        return escaped ? nil : .string(result)
    }
}
