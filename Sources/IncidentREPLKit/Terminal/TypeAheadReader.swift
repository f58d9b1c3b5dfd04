import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import LLMClients
import Synchronization

/// Reads the keyboard while an answer streams (or a command runs), when libedit is not reading.
///
/// The terminal's signal keys stay off then too (``TerminalMode/quietForAnswer()``), so that a
/// Ctrl-Z, Ctrl-\ or Ctrl-C byte inside something pasted mid-answer is data, not a signal. The
/// reader acts on those keys when they are typed (outside a bracketed paste): Ctrl-C and Ctrl-\ are
/// raised as SIGINT and SIGQUIT for the ``InterruptMonitor``, Ctrl-Z suspends and, after `fg`, puts
/// the quiet mode back. Everything else, pastes whole, is handed to the line editor for the next
/// prompt, unseen until then.
final class TypeAheadReader: Sendable {
    /// Where the bytes go: the line editor's queue, read before the terminal at the next prompt.
    private let deliver: @Sendable ([UInt8]) -> Void
    private let running = Mutex<DispatchSemaphore?>(nil)
    private let stopPipe: (read: Int32, write: Int32)

    init(deliver: @escaping @Sendable ([UInt8]) -> Void) {
        self.deliver = deliver
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
        }
        stopPipe = (fds[0], fds[1])
    }

    /// Starts reading (no-op if already reading).
    func start() {
        let finished = DispatchSemaphore(value: 0)
        let started = running.withLock { current -> Bool in
            guard current == nil else { return false }
            current = finished
            return true
        }
        guard started else { return }
        var drain = [UInt8](repeating: 0, count: 16)
        while read(stopPipe.read, &drain, drain.count) > 0 {}
        DetachedThread.run { [self] in
            readUntilStopped()
            finished.signal()
        }
    }

    /// Stops reading and waits until the reader has let go of the terminal.
    func stop() {
        guard let finished = running.withLock({ current -> DispatchSemaphore? in defer { current = nil }; return current }) else {
            return
        }
        var byte: UInt8 = 1
        _ = write(stopPipe.write, &byte, 1)
        finished.wait()
    }

    private static let pasteStart: [UInt8] = Array("\u{1B}[200~".utf8)
    private static let pasteEnd: [UInt8] = Array("\u{1B}[201~".utf8)

    private func readUntilStopped() {
        var inPaste = false
        var recent: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: stopPipe.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[1].revents != 0 { return }
            if fds[0].revents & Int16(POLLIN) == 0 { return }  // hang-up or error: nothing more to read
            let count = read(0, &buffer, buffer.count)
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            if count <= 0 { return }
            var queued: [UInt8] = []
            for byte in buffer[..<count] {
                recent.append(byte)
                if recent.count > 6 { recent.removeFirst() }
                if !inPaste, let action = Self.action(for: byte) {
                    if !queued.isEmpty { deliver(queued); queued.removeAll() }
                    action()
                    continue
                }
                queued.append(byte)
                if recent.count == 6 {
                    if recent == Self.pasteStart { inPaste = true } else if recent == Self.pasteEnd { inPaste = false }
                }
            }
            if !queued.isEmpty { deliver(queued) }
        }
    }

    /// What a key typed mid-answer does, if it is one of the signal keys.
    private static func action(for byte: UInt8) -> (() -> Void)? {
        switch byte {
        case 0x03: return { kill(getpid(), SIGINT) }
        case 0x1C: return { kill(getpid(), SIGQUIT) }
        case 0x1A: return suspend
        default: return nil
        }
    }

    /// Ctrl-Z mid-answer: the terminal as the shell expects it, the whole job stopped (under
    /// `make run`, make too); after `fg`, quiet again.
    private static func suspend() {
        TerminalMode.restore()
        kill(0, SIGTSTP)
        usleep(20_000)  // the stop takes this thread at its next system call; it goes on after `fg`
        TerminalMode.quietForAnswer()
        let bracket = Array("\u{1B}[?2004h".utf8)
        _ = bracket.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
