import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// On SIGTERM or SIGHUP, runs the clean-up (stopping the local model server) and exits.
final class ShutdownMonitor: @unchecked Sendable {  // the sources are only touched in init
    private var sources: [any DispatchSourceSignal] = []

    init(cleanUp: @escaping @Sendable () -> Void) {
        for number in [SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cleanUp()
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
