import Foundation

/// A real pseudo-terminal: the program runs inside a private tmux server; keys are sent with
/// `send-keys` and the screen is read with `capture-pane`, as an analyst's terminal would show it.
final class Tmux: Sendable {
    let socket = "irtest-\(UUID().uuidString.prefix(8))"
    let session = "t"

    private init() {}

    static func start(command: String, width: Int = 160, height: Int = 50) async throws -> Tmux {
        let terminal = Tmux()
        try await terminal.tmux(["new-session", "-d", "-s", terminal.session, "-x", String(width), "-y", String(height), command])
        return terminal
    }

    deinit {
        _ = try? ProcessRunner.runBlocking("/usr/bin/tmux", arguments: ["-L", socket, "kill-server"], timeout: .seconds(10))
    }

    @discardableResult
    func tmux(_ arguments: [String]) async throws -> String {
        let result = try await ProcessRunner.run("/usr/bin/tmux", arguments: ["-L", socket] + arguments, timeout: .seconds(10))
        return result.stdout
    }

    func send(_ keys: String...) async throws {
        try await tmux(["send-keys", "-t", session] + keys)
    }

    /// Types text literally (no key names).
    func type(_ text: String) async throws {
        try await tmux(["send-keys", "-t", session, "-l", text])
    }

    func screen() async throws -> String {
        try await tmux(["capture-pane", "-t", session, "-p", "-J", "-S", "-200"])
    }

    /// Waits until the screen satisfies `condition`; returns the screen and how long it took.
    @discardableResult
    func waitFor(timeout: Duration = .seconds(20), _ condition: (String) -> Bool) async throws -> (screen: String, waited: Duration) {
        let start = ContinuousClock.now
        while true {
            let text = try await screen()
            if condition(text) { return (text, ContinuousClock.now - start) }
            if ContinuousClock.now - start > timeout {
                throw TmuxError.timedOut(screen: text)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    enum TmuxError: Error, CustomStringConvertible {
        case timedOut(screen: String)
        var description: String {
            if case .timedOut(let screen) = self { return "timed out waiting; screen:\n\(screen)" }
            return "tmux"
        }
    }
}
