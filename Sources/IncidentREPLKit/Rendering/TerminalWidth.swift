#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// The width of the terminal on standard output, kept current by a SIGWINCH handler so that a
/// resize takes effect from the next line rendered.
enum TerminalWidth {
    /// Columns used when the descriptor is not a terminal or does not say.
    static let fallback = 80

    private static let columns = Atomic<Int>(query(descriptor: 1))

    /// Updates ``columns`` on every resize. Created once, on first use, never touched again.
    nonisolated(unsafe) private static let resize: any DispatchSourceSignal = {
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { columns.store(query(descriptor: 1), ordering: .relaxed) }
        source.resume()
        return source
    }()

    /// The current width of standard output's terminal.
    static var current: Int {
        _ = resize
        return columns.load(ordering: .relaxed)
    }

    /// The width the kernel reports for `descriptor`'s terminal (TIOCGWINSZ), or ``fallback``.
    static func query(descriptor: Int32) -> Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return fallback }
        return Int(size.ws_col)
    }
}
