#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The terminal's line discipline, as incident-repl changes it and puts it back.
///
/// - At the prompt, libedit puts the terminal in its editing mode; we also turn off `ISIG`, so that
///   a Ctrl-Z or Ctrl-\ byte inside a paste is data, never a signal (the line editor handles Ctrl-C,
///   Ctrl-Z and Ctrl-\ typed as keys itself).
/// - While an answer streams, keys are not echoed, not line-buffered and not signals
///   (``quietForAnswer()``): the ``TypeAheadReader`` keeps what the analyst types for the next
///   prompt instead of it being printed into the answer, and acts on Ctrl-C, Ctrl-\ and Ctrl-Z.
/// - ``restore()`` puts back the mode the terminal had when incident-repl started, and leaves
///   bracketed-paste mode: on exit, on SIGTERM, before suspending.
enum TerminalMode {
    /// The settings of standard input when incident-repl started (nil when it is not a terminal).
    private static let original = Mutex<termios?>(nil)
    private static let shutdown = Atomic<Bool>(false)

    /// Set once the process is on its way out (SIGTERM, SIGHUP): nothing takes the terminal again.
    static var isShuttingDown: Bool { shutdown.load(ordering: .acquiring) }

    /// Marks the process as on its way out; from now on only ``restore()`` touches the terminal.
    static func beginShutdown() {
        shutdown.store(true, ordering: .releasing)
    }

    /// Remembers the terminal's settings; call once at start.
    static func saveOriginal() {
        guard isatty(0) == 1 else { return }
        var settings = termios()
        guard tcgetattr(0, &settings) == 0 else { return }
        original.withLock { if $0 == nil { $0 = settings } }
    }

    /// Puts back the settings incident-repl started with and leaves bracketed-paste mode.
    static func restore() {
        guard var settings = original.withLock({ $0 }) else { return }
        tcsetattr(0, TCSANOW, &settings)
        let leave = Array("\u{1B}[?2004l".utf8)
        _ = leave.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    /// No echo, no line buffering, no signal keys: type-ahead waits unseen for the next prompt.
    static func quietForAnswer() {
        guard !isShuttingDown, var settings = original.withLock({ $0 }) else { return }
        settings.c_lflag &= ~tcflag_t(ECHO | ICANON | ECHONL | ISIG)
        withUnsafeMutablePointer(to: &settings.c_cc) {
            $0.withMemoryRebound(to: cc_t.self, capacity: Int(NCCS)) { cc in
                cc[Int(VMIN)] = 1
                cc[Int(VTIME)] = 0
            }
        }
        tcsetattr(0, TCSANOW, &settings)
    }

    /// Turns off signal characters in whatever mode the terminal is in now (libedit's editing mode).
    static func disableSignalKeys() {
        guard !isShuttingDown, original.withLock({ $0 }) != nil else { return }
        var settings = termios()
        guard tcgetattr(0, &settings) == 0, settings.c_lflag & tcflag_t(ISIG) != 0 else { return }
        settings.c_lflag &= ~tcflag_t(ISIG)
        tcsetattr(0, TCSANOW, &settings)
    }
}
