#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// An open lock file with an `flock` on it: shared (a REPL using a shared server) or exclusive (the
/// REPL starting one). The lock goes when the descriptor closes, by ``release()`` or by the kernel
/// when the process dies however it dies.
final class FileLock: Sendable {
    let path: String
    private let descriptor: Int32
    private let released = Atomic<Bool>(false)

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { release() }

    /// Takes the lock, trying again every 50 ms until `timeout`; `nil` if it was not to be had.
    /// - Throws: `CancellationError` when the task is cancelled while it waits.
    static func acquire(_ path: String, exclusive: Bool, timeout: Duration) async throws -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw REPLError.file(path: path, reason: String(cString: strerror(errno))) }
        let deadline = ContinuousClock.now + timeout
        while true {
            if flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return FileLock(path: path, descriptor: fd) }
            if errno != EWOULDBLOCK && errno != EINTR { break }
            if ContinuousClock.now >= deadline { break }
            do {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                close(fd)
                throw error
            }
        }
        close(fd)
        return nil
    }

    /// The same from synchronous code (letting go of a server on exit): waits at most `timeout`.
    static func acquireNow(_ path: String, exclusive: Bool, timeout: Duration) -> FileLock? {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return FileLock(path: path, descriptor: fd) }
            usleep(20_000)
        }
        close(fd)
        return nil
    }

    /// Whether no one else holds the lock: tries to make this shared lock exclusive. The lock is
    /// released either way, so call it only when letting go.
    func releaseReportingSoleHolder() -> Bool {
        guard !released.load(ordering: .acquiring) else { return false }
        let sole = flock(descriptor, LOCK_EX | LOCK_NB) == 0
        release()
        return sole
    }

    func release() {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        close(descriptor)
    }
}
