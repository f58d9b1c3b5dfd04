import LLMClients
#if canImport(Glibc)
import Glibc
#endif

/// Makes journal lines durable (`fdatasync`) on a thread of its own, so that no turn waits for the disk.
///
/// A line is safe from a killed process as soon as `write(2)` returns: it is in the page cache.
/// `fdatasync` protects it from a power loss or an OS crash as well, and costs about half a
/// millisecond per call on this machine's ext4, twice a turn. The journal writes each line
/// synchronously and asks this syncer to flush; requests made while a flush is running are folded
/// into the next one, so there is at least one `fdatasync` per turn and never a queue of them.
/// ``waitUntilDurable()`` blocks until everything requested so far is on disk (at exit).
final class JournalSyncer: @unchecked Sendable {  // state guarded by `lock`
    /// Makes a descriptor's data durable; returns 0, or the `errno` of the failure.
    typealias SyncFunction = @Sendable (Int32) -> Int32

    /// `fdatasync(2)`.
    static let fileDataSync: SyncFunction = { descriptor in fdatasync(descriptor) == 0 ? 0 : errno }

    private let descriptor: Int32
    private let sync: SyncFunction
    private let path: String
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var requested = 0
    private var completed = 0
    /// A directory to fsync before the next flush: a new file's entry in it.
    private var pendingDirectory: String?
    private var failure: String?
    private var stopping = false
    private var flushCount = 0

    /// - Parameters:
    ///   - descriptor: A descriptor of its own for the journal file; the syncer closes it.
    ///   - newFileDirectory: The directory to fsync with the first flush, for a newly created file.
    ///   - sync: How a flush is made (tests inject a failing one).
    init(descriptor: Int32, path: String, newFileDirectory: String?, sync: @escaping SyncFunction = fileDataSync) {
        self.descriptor = descriptor
        self.sync = sync
        self.path = path
        pendingDirectory = newFileDirectory
        pthread_mutex_init(lock, nil)
        pthread_cond_init(changed, nil)
        DetachedThread.run { [self] in run() }
    }

    deinit {
        close(descriptor)
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(lock)
        lock.deallocate()
        changed.deallocate()
    }

    /// Asks for everything written so far to be flushed; returns at once.
    func requestSync() {
        locked {
            requested += 1
            pthread_cond_broadcast(changed)
        }
    }

    /// Blocks until everything requested so far is on disk.
    func waitUntilDurable() {
        locked {
            let target = requested
            while completed < target { pthread_cond_wait(changed, lock) }
        }
    }

    /// The last flush failure, once; the session reports it after the write that follows it.
    func takeFailure() -> String? {
        locked {
            defer { failure = nil }
            return failure
        }
    }

    /// How many `fdatasync` calls have run (requests made during one are folded into the next).
    var flushes: Int { locked { flushCount } }

    /// Requests not yet covered by a finished flush.
    var pendingRequests: Int { locked { requested - completed } }

    /// Flushes what is pending, then lets the thread end (it holds the last reference).
    func stop() {
        locked {
            stopping = true
            pthread_cond_broadcast(changed)
        }
    }

    private func run() {
        pthread_mutex_lock(lock)
        while true {
            while requested == completed, !stopping { pthread_cond_wait(changed, lock) }
            if requested == completed { break }  // stopping, and nothing left to flush
            let target = requested
            let directory = pendingDirectory
            pendingDirectory = nil
            pthread_mutex_unlock(lock)

            var problem: String?
            if let directory { problem = Self.syncDirectory(directory) }
            let status = sync(descriptor)
            if status != 0 {
                problem = "\(path): fdatasync failed: \(String(cString: strerror(status)))"
            }

            pthread_mutex_lock(lock)
            if let problem { failure = problem }
            flushCount += 1
            completed = target
            pthread_cond_broadcast(changed)
        }
        pthread_mutex_unlock(lock)
    }

    private static func syncDirectory(_ directory: String) -> String? {
        do {
            try PrivateFile.syncDirectory(directory)
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return body()
    }
}
