#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One file named on a `/file` line or by `--file`: its path as written and the part to attach.
public struct EvidenceRequest: Sendable, Equatable {
    /// The path as the analyst wrote it (`~` and relative paths allowed).
    public var path: String
    /// The part to attach; nil for the whole file.
    public var selection: EvidenceSelection?

    public init(path: String, selection: EvidenceSelection? = nil) {
        self.path = path
        self.selection = selection
    }

    /// The requests on a `/file` line: paths, each optionally `PATH:FIRST-LAST`, and the options
    /// `--tail N` and `--grep PATTERN`, which apply to every path on the line. Words may be quoted
    /// with `'` or `"`, or escaped with `\`.
    ///
    /// `PATH:100-400` is a line range only when `PATH:100-400` itself does not exist
    /// (`fileExists` decides).
    /// - Throws: ``REPLError/configuration(_:)`` with the usage for a line that cannot be parsed.
    public static func parse(_ line: String, fileExists: (String) -> Bool) throws -> [EvidenceRequest] {
        let words = try split(line)
        var paths: [String] = []
        var option: EvidenceSelection?
        var index = 0
        func setOption(_ selection: EvidenceSelection) throws {
            guard option == nil else { throw REPLError.configuration("choose one of --tail and --grep per /file line; " + usage) }
            option = selection
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "--tail":
                guard index + 1 < words.count, let count = Int(words[index + 1]), count > 0 else {
                    throw REPLError.configuration("--tail needs a number of lines; " + usage)
                }
                try setOption(.tail(count))
                index += 2
            case "--grep":
                guard index + 1 < words.count, !words[index + 1].isEmpty else {
                    throw REPLError.configuration("--grep needs a pattern; " + usage)
                }
                try setOption(.grep(words[index + 1]))
                index += 2
            default:
                if word.hasPrefix("--") && !fileExists(word) {
                    throw REPLError.configuration("unknown option \(word); " + usage)
                }
                paths.append(word)
                index += 1
            }
        }
        guard !paths.isEmpty else { throw REPLError.configuration(usage) }
        return try paths.map { written in
            if !fileExists(written), let (path, range) = lineRange(written) {
                guard option == nil else {
                    throw REPLError.configuration("a line range cannot be combined with --tail or --grep; " + usage)
                }
                return EvidenceRequest(path: path, selection: range)
            }
            return EvidenceRequest(path: written, selection: option)
        }
    }

    /// The request for one `--file` argument: a path, or `PATH:FIRST-LAST` when no file has that
    /// whole name (no quoting or options: the shell has split the words already).
    public static func single(_ written: String, environment: [String: String]) -> EvidenceRequest {
        let directory = FileManager.default.currentDirectoryPath
        let exists = EvidenceReader.exists(EvidenceReader.absolutePath(written, environment: environment, currentDirectory: directory))
        if !exists, let (path, range) = lineRange(written) { return EvidenceRequest(path: path, selection: range) }
        return EvidenceRequest(path: written)
    }

    static let usage = "usage: /file PATH[:FIRST-LAST] [PATH…] [--tail N | --grep PATTERN]"

    /// `PATH:100-400`, `PATH:100-` or `PATH:100` split into the path and the range.
    static func lineRange(_ word: String) -> (String, EvidenceSelection)? {
        guard let colon = word.lastIndex(of: ":"), colon != word.startIndex else { return nil }
        let spec = word[word.index(after: colon)...]
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first.flatMap({ Int($0) }), first >= 1 else { return nil }
        let path = String(word[..<colon])
        if parts.count == 1 { return (path, .lines(first: first, last: first)) }
        if parts[1].isEmpty { return (path, .lines(first: first, last: nil)) }
        guard let last = Int(parts[1]), last >= first else { return nil }
        return (path, .lines(first: first, last: last))
    }

    /// Splits a line into words as a shell would for quoting: `'…'` literal, `"…"` with `\"` and
    /// `\\`, `\` escaping the next character outside quotes.
    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
                continue
            }
            if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
                continue
            }
            switch character {
            case "\\": escaped = true; inWord = true
            case "'", "\"": quote = character; inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil else { throw REPLError.configuration("unclosed quote in the /file line; " + usage) }
        if inWord { words.append(current) }
        return words
    }
}
