#if canImport(Glibc)
import Glibc
#endif
import ConversationCore

/// What makes notes safe to hand to a colleague: indicators that cannot be clicked, pasted text
/// kept verbatim, and a file that lands where it was meant to, never over another.
extension IncidentNotes {
    // MARK: - Text

    /// `text` with its indicators defanged the way analysts write them: `203.0.113[.]45`,
    /// `hxxps://evil[.]example/x.sh`, `bob@evil[.]com`, `evil[.]com` (the last dot of an address or
    /// host). Text already defanged, IPv6 addresses, hashes and paths are left as they are.
    public static func defanged(_ text: String) -> String {
        var found = IndicatorExtractor.indicators(in: text)
        // `evil.com:443`: the extractor strips a port from an address only; a host name with one
        // is still a domain to defang.
        for token in text.split(whereSeparator: \.isWhitespace) where token.contains(":") && !token.contains("/") {
            guard let colon = token.lastIndex(of: ":"), token[token.index(after: colon)...].allSatisfy(\.isNumber),
                colon != token.startIndex, token.index(after: colon) != token.endIndex
            else { continue }
            if let domain = IndicatorExtractor.indicators(in: String(token[..<colon])).first, domain.kind == .domain {
                found.append(domain)
            }
        }
        guard !found.isEmpty else { return text }
        var result = text
        // URLs first: their hosts are also domains, and an address may sit in one.
        let order: [Indicator.Kind] = [.url, .email, .domain, .ipv4]
        for kind in order {
            for indicator in found where indicator.kind == kind {
                result = replacingIgnoringCase(indicator.value, in: result) { original in
                    switch kind {
                    case .url: return defangedURL(original)
                    default: return defangedLastDot(original)
                    }
                }
            }
        }
        return result
    }

    /// `hxxps://evil[.]example/x.sh`: the scheme and the host's last dot.
    static func defangedURL(_ url: String) -> String {
        guard let schemeEnd = url.firstRange(of: "://") else { return url }
        let scheme = url[..<schemeEnd.lowerBound]
        let rest = url[schemeEnd.upperBound...]
        let hostEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let defangedScheme = scheme.lowercased() == "ftp" || scheme.lowercased() == "sftp"
            ? scheme.replacing("ftp", with: "fxp").replacing("FTP", with: "FXP")
            : scheme.replacing("tt", with: "xx").replacing("TT", with: "XX")
        return defangedScheme + "://" + defangedLastDot(String(rest[..<hostEnd])) + rest[hostEnd...]
    }

    /// The last `.` as `[.]` (`203.0.113[.]45`, `evil[.]com`); text without a dot unchanged.
    static func defangedLastDot(_ text: String) -> String {
        guard let dot = text.lastIndex(of: ".") else { return text }
        return text[..<dot] + "[.]" + text[text.index(after: dot)...]
    }

    /// Every occurrence of `needle` in `text` (ASCII letters compared without case), replaced by
    /// what `replacement` makes of the text found.
    static func replacingIgnoringCase(_ needle: String, in text: String, with replacement: (String) -> String) -> String {
        let pattern = Array(needle.lowercased().utf8)
        let bytes = Array(text.utf8)
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return text }
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 16)
        var index = 0
        var changed = false
        while index < bytes.count {
            if index + pattern.count <= bytes.count, fold(bytes[index]) == pattern[0],
                (1..<pattern.count).allSatisfy({ fold(bytes[index + $0]) == pattern[$0] })
            {
                let original = String(decoding: bytes[index..<(index + pattern.count)], as: UTF8.self)
                output += Array(replacement(original).utf8)
                index += pattern.count
                changed = true
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return changed ? String(decoding: output, as: UTF8.self) : text
    }

    /// Text in a fenced block that nothing inside can close: the fence is one backtick longer
    /// than the longest run of backticks in the text (at least three).
    static func fenced(_ text: String, info: String = "text") -> [String] {
        var longest = 0
        var run = 0
        for character in text {
            run = character == "`" ? run + 1 : 0
            longest = max(longest, run)
        }
        let fence = String(repeating: "`", count: max(3, longest + 1))
        return [fence + info] + text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) + [fence]
    }

    // MARK: - Where the notes go

    /// The notes folder: `$XDG_DATA_HOME/incident-repl/notes`, or `~/.local/share/incident-repl/notes`.
    public static func notesDirectory(environment: [String: String]) -> String {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/incident-repl/notes" }
        return (environment["HOME"] ?? "/tmp") + "/.local/share/incident-repl/notes"
    }

    /// The absolute path `/export` writes to.
    ///
    /// No argument: `NAME.md` in the notes folder (created 0700). A bare file name (no `/`): that
    /// name in the notes folder. `~` and `~/…` are the home directory; any other path is taken as
    /// given, relative to `currentDirectory`. The folder must exist (the notes folder aside).
    /// - Throws: ``REPLError/file(path:reason:)`` naming a missing folder, or a folder that is not one.
    public static func destination(
        for argument: String, sessionName: String, environment: [String: String], currentDirectory: String
    ) throws -> String {
        let notes = notesDirectory(environment: environment)
        var path: String
        if argument.isEmpty {
            path = notes + "/" + sessionName + ".md"
        } else if argument == "~" || argument.hasPrefix("~/") {
            guard let home = environment["HOME"], home.hasPrefix("/") else {
                throw REPLError.file(path: argument, reason: "cannot expand '~': HOME is not set")
            }
            path = home + argument.dropFirst()
        } else if argument.hasPrefix("~") {
            throw REPLError.file(path: argument, reason: "'~user' paths are not expanded; give the full path")
        } else if !argument.contains("/") {
            path = notes + "/" + argument
        } else {
            path = argument.hasPrefix("/") ? argument : currentDirectory + "/" + argument
        }
        path = normalized(path)
        let directory = PrivateFile.directory(of: path)
        if directory == notes, !argument.contains("/"), !argument.hasPrefix("~") {
            try PrivateFile.makePrivateDirectory(notes)
        }
        var info = stat()
        if stat(directory, &info) != 0 {
            throw REPLError.file(path: path, reason: "the folder \(directory) does not exist (create it, or export elsewhere)")
        }
        if info.st_mode & S_IFMT != S_IFDIR {
            throw REPLError.file(path: path, reason: "\(directory) is not a folder")
        }
        if path.hasSuffix("/") || isDirectory(path) {
            throw REPLError.file(path: path, reason: "that is a folder; give a file name")
        }
        return path
    }

    /// `a/./b//c/../d` → `a/b/d` (textually: symbolic links are not followed).
    static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The current directory (absolute), for resolving a relative export path.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "/" }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
