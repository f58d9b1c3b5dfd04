#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The XDG directories incident-repl reads and writes.
public enum StatePaths {
    /// `$XDG_STATE_HOME/incident-repl`, or `~/.local/state/incident-repl`: history, sessions, logs.
    public static func stateDirectory(environment: [String: String]) -> String {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/incident-repl" }
        return home(environment) + "/.local/state/incident-repl"
    }

    /// `$XDG_CONFIG_HOME/incident-repl`, or `~/.config/incident-repl`: config file and the analyst's roles.
    public static func configDirectory(environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/incident-repl" }
        return home(environment) + "/.config/incident-repl"
    }

    private static func home(_ environment: [String: String]) -> String {
        environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }
}
