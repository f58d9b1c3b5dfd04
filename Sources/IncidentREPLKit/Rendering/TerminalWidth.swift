#if canImport(Glibc)
import Glibc
#endif

/// The width of the terminal on standard output, asked of the kernel (TIOCGWINSZ) each time a line
/// is about to be rendered, so that a resize (SIGWINCH) takes effect from the next line.
///
/// Asked rather than cached by a SIGWINCH handler: a signal source only sees the signal where it is
/// blocked in every thread, and a stale width would also miscount the rows of the streamed line
/// that the rendered one replaces. One ioctl per rendered line costs well under a microsecond.
enum TerminalWidth {
    /// Columns used when the descriptor is not a terminal or does not say.
    static let fallback = 80

    /// The current width of standard output's terminal.
    static var current: Int {
        query(descriptor: 1)
    }

    /// The width the kernel reports for `descriptor`'s terminal, or ``fallback``.
    static func query(descriptor: Int32) -> Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return fallback }
        return Int(size.ws_col)
    }
}
