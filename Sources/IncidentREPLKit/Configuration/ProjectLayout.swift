#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the project's own files are: the built-in prompts and the Python environment of the local model.
///
/// Found from `INCIDENT_REPL_HOME`, else by walking up from the executable (a build under `.build/`
/// finds the checkout it was built from); never from the current directory.
public struct ProjectLayout: Sendable, Equatable {
    public var root: String

    public init(root: String) {
        self.root = root
    }

    public var promptsDirectory: String { root + "/prompts" }
    public var pythonExecutable: String { root + "/.venv/bin/python" }

    /// The layout for this process, or `nil` if no project directory can be found.
    public static func locate(environment: [String: String]) -> ProjectLayout? {
        if let home = environment["INCIDENT_REPL_HOME"], !home.isEmpty { return ProjectLayout(root: home) }
        var directory = executablePath()
        while let slash = directory.lastIndex(of: "/"), slash != directory.startIndex {
            directory = String(directory[..<slash])
            if FileManager.default.fileExists(atPath: directory + "/prompts/incident-response.md") {
                return ProjectLayout(root: directory)
            }
        }
        // Never the current directory: analysts work inside evidence and cloned repositories, whose
        // `.venv/bin/python` and `prompts/` are not ours to run or to send.
        return nil
    }

    private static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
