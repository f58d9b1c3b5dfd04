import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// On SIGTERM or SIGHUP: stops anything from taking the terminal again, runs the clean-up (letting
/// go of the local model server), puts the terminal back as it was (echo on, signal keys on,
/// bracketed paste off), last, and exits.
final class ShutdownMonitor: @unchecked Sendable {  // the sources are only touched in init
    private var sources: [any DispatchSourceSignal] = []

    init(cleanUp: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                TerminalMode.beginShutdown()
                cleanUp()
                TerminalMode.restore()
                if isatty(1) == 1 { _ = write(1, "\n", 1) }  // the shell's prompt on a line of its own
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
