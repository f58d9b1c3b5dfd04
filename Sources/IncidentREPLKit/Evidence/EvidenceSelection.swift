import ConversationCore

/// The part of a file to attach when the whole does not fit: a line range (`PATH:100-400`), the
/// last lines (`--tail N`), or the lines that match (`--grep PATTERN`).
public enum EvidenceSelection: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Lines `first` through `last`, numbered from 1 (`last` nil: to the end).
    case lines(first: Int, last: Int?)
    /// The last N lines.
    case tail(Int)
    /// The lines containing the pattern: plain text, or a regular expression when it has
    /// regular-expression syntax in it.
    case grep(String)

    /// How the selection is written on the `/file` line.
    public var description: String {
        switch self {
        case .lines(let first, let last): return "lines \(first)-\(last.map(String.init) ?? "end")"
        case .tail(let count): return "last \(count) lines"
        case .grep(let pattern): return "lines matching '\(pattern)'"
        }
    }

    /// The selected lines of `text` (which has `lines` already split), joined with `\n`, and how
    /// many were selected.
    /// - Throws: ``REPLError/file(path:reason:)`` for a range past the end, or a pattern that is
    ///   not a valid regular expression.
    func apply(to lines: [Substring], path: String) throws -> (text: String, count: Int) {
        let selected: ArraySlice<Substring>
        switch self {
        case .lines(let first, let last):
            let end = min(last ?? lines.count, lines.count)
            guard first >= 1, first <= lines.count, end >= first else {
                throw REPLError.file(path: path, reason: "it has \(lines.count.grouped) lines; \(description) is outside it")
            }
            selected = lines[(first - 1)..<end]
        case .tail(let count):
            selected = lines.suffix(max(0, count))
        case .grep(let pattern):
            let matching: [Substring]
            if Self.isPlain(pattern) {
                matching = lines.filter { $0.contains(pattern) }
            } else {
                let regex: Regex<AnyRegexOutput>
                do {
                    regex = try Regex(pattern)
                } catch {
                    throw REPLError.file(path: path, reason: "--grep '\(pattern)' is not a valid regular expression (\(error))")
                }
                matching = lines.filter { $0.contains(regex) }
            }
            guard !matching.isEmpty else {
                throw REPLError.file(path: path, reason: "no line matches '\(pattern)'; nothing attached")
            }
            selected = matching[...]
        }
        return (selected.joined(separator: "\n"), selected.count)
    }

    /// Whether `pattern` has no regular-expression syntax (searched for as plain text, fast).
    static func isPlain(_ pattern: String) -> Bool {
        !pattern.contains { "\\^$*+?()[]{}|".contains($0) }
    }
}
