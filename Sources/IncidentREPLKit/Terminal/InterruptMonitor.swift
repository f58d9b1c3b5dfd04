import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Turns SIGINT (Ctrl-C) into the cancellation of whatever is armed (the answer that is streaming,
/// or the wait before it); with nothing armed, into the idle action (interrupting the line editor's
/// read). SIGQUIT (Ctrl-\ while an answer streams) does the same and asks the session to end, as
/// Ctrl-D does, instead of the runtime's crash report.
public final class InterruptMonitor: @unchecked Sendable {  // the sources are only touched in init
    /// Armed actions, innermost last: Ctrl-C cancels the innermost.
    private let handlers = Mutex<[@Sendable () -> Void]>([])
    private let idle = Mutex<(@Sendable () -> Void)?>(nil)
    private let quit = Atomic<Bool>(false)
    private var sources: [any DispatchSourceSignal] = []

    public init() {
        for number in [SIGINT, SIGQUIT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [unowned self] in
                if number == SIGQUIT { self.quit.store(true, ordering: .releasing) }
                let action = self.handlers.withLock { $0.last } ?? self.idle.withLock { $0 }
                action?()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// Whether Ctrl-\ asked the session to end.
    public var quitRequested: Bool { quit.load(ordering: .acquiring) }

    /// Calls `action` on the next Ctrl-C, until the matching ``disarm()``.
    public func arm(_ action: @escaping @Sendable () -> Void) {
        handlers.withLock { $0.append(action) }
    }

    /// What Ctrl-C does when nothing is armed.
    public func whenIdle(_ action: @escaping @Sendable () -> Void) {
        idle.withLock { $0 = action }
    }

    /// Removes the innermost armed action.
    public func disarm() {
        handlers.withLock { _ = $0.popLast() }
    }
}
