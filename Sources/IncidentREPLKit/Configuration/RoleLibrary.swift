#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// System prompts by role name: the built-in ones in the project's `prompts/`, and the analyst's own
/// Markdown files in `$XDG_CONFIG_HOME/incident-repl/prompts/` (which win on a name clash).
public struct RoleLibrary: Sendable {
    /// Directories searched, later ones overriding earlier ones.
    public var directories: [String]
    /// Prompt files that are not roles (used internally, e.g. for summaries).
    static let internalPrompts: Set<String> = ["summarise"]

    public init(directories: [String]) {
        self.directories = directories
    }

    public static func standard(layout: ProjectLayout?, environment: [String: String]) -> RoleLibrary {
        var directories: [String] = []
        if let layout { directories.append(layout.promptsDirectory) }
        directories.append(StatePaths.configDirectory(environment: environment) + "/prompts")
        return RoleLibrary(directories: directories)
    }

    /// Role names available, sorted.
    public var names: [String] {
        var names = Set<String>()
        for directory in directories {
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where file.hasSuffix(".md") {
                names.insert(String(file.dropLast(3)))
            }
        }
        return names.subtracting(Self.internalPrompts).sorted()
    }

    /// The prompt text of a role.
    public func prompt(named name: String) throws -> String {
        try text(of: name) ?? { throw REPLError.unknownRole(name: name, available: names) }()
    }

    /// The text of any prompt file by name (roles and internal prompts), or `nil`.
    public func text(of name: String) throws -> String? {
        for directory in directories.reversed() {
            let path = "\(directory)/\(name).md"
            if let data = FileManager.default.contents(atPath: path) {
                return String(String(decoding: data, as: UTF8.self).trimmingWhitespace())
            }
        }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space and newlines.
    func trimmingWhitespace() -> SubSequence {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return self[start..<Swift.max(start, end)]
    }
}
