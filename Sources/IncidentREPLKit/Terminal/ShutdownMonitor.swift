import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// On SIGTERM or SIGHUP: puts the terminal back as it was (echo on, bracketed paste off), runs the
/// clean-up (letting go of the local model server) and exits.
final class ShutdownMonitor: @unchecked Sendable {  // the sources are only touched in init
    private var sources: [any DispatchSourceSignal] = []

    init(cleanUp: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                TerminalMode.restore()
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
