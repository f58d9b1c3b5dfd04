internal import CEditLine
#if canImport(Glibc)
import Glibc
#endif
public import LLMClients

/// Line editing with libedit: emacs keys, arrow-key history, Ctrl-R search, and a history file.
///
/// `readline` blocks, so each read runs on a dedicated thread and is bridged back with a
/// continuation. libedit keeps global state, so there is one editor per process.
public final class LineEditor: InputSource {
    private let historyPath: String?

    /// - Parameter historyPath: the history file (created 0600 in a 0700 directory), or `nil` for none.
    public init(historyPath: String?) {
        self.historyPath = historyPath
        using_history()
        if let historyPath {
            try? PrivateFile.makePrivateDirectory(PrivateFile.directory(of: historyPath))
            read_history(historyPath)
        }
    }

    public var isScripted: Bool { false }

    public func next(prompt: String) async -> InputEvent {
        let historyPath = self.historyPath
        let line: String? = await withCheckedContinuation { continuation in
            DetachedThread.run {
                guard let raw = readline(prompt) else {
                    continuation.resume(returning: nil)
                    return
                }
                defer { free(raw) }
                continuation.resume(returning: String(cString: raw))
            }
        }
        guard let line else { return .endOfInput }
        if !line.trimmingSpaces().isEmpty {
            add_history(line)
            if let historyPath { Self.saveHistory(line, to: historyPath) }
        }
        return .line(line)
    }

    /// Appends one entry to the history file, keeping it private.
    private static func saveHistory(_ line: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 {
            fchmod(fd, 0o600)
            close(fd)
        }
        write_history(path)
        chmod(path, 0o600)
    }
}
