import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Turns SIGINT (Ctrl-C) into the cancellation of whatever is armed (the answer that is streaming);
/// with nothing armed, into the idle action (interrupting the line editor's read).
public final class InterruptMonitor: @unchecked Sendable {  // the source is only touched in init
    private let handler = Mutex<(@Sendable () -> Void)?>(nil)
    private let idle = Mutex<(@Sendable () -> Void)?>(nil)
    private let source: any DispatchSourceSignal

    public init() {
        defer { source.resume() }
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler { [unowned self] in
            let action = self.handler.withLock { $0 } ?? self.idle.withLock { $0 }
            action?()
        }
        
    }

    /// Calls `action` on the next Ctrl-C.
    public func arm(_ action: @escaping @Sendable () -> Void) {
        handler.withLock { $0 = action }
    }

    /// What Ctrl-C does when nothing is armed.
    public func whenIdle(_ action: @escaping @Sendable () -> Void) {
        idle.withLock { $0 = action }
    }

    public func disarm() {
        handler.withLock { $0 = nil }
    }
}
