#if canImport(Glibc)
import Glibc
#endif
import LLMClients
import Synchronization

/// A child process spawned, and reaped, by a dedicated thread that lives as long as the child.
///
/// The child starts clean whatever state the spawning thread is in: an empty signal mask, every
/// signal at its default disposition, standard input from `/dev/null`, and (unless asked not to) a
/// process group of its own, so that Ctrl-C at the terminal, which signals the foreground process
/// group, never reaches it.
final class ChildProcess: Sendable {
    let pid: Int32
    private let exited = Atomic<Bool>(false)

    private init(pid: Int32) {
        self.pid = pid
    }

    var hasExited: Bool { exited.load(ordering: .acquiring) }

    /// posix_spawn with stdin from /dev/null and output appended to the log (or /dev/null): a
    /// restart keeps the log of the crash that caused it.
    ///
    /// - Parameters:
    ///   - environment: variables added to this process's environment (secrets go here, never in
    ///     the arguments, which every user of the machine can read in `ps`).
    ///   - ownProcessGroup: start the child in a new process group.
    static func spawn(
        _ arguments: [String], environment: [String: String] = [:], logPath: String?, ownProcessGroup: Bool = true
    ) async throws -> ChildProcess {
        try await withCheckedThrowingContinuation { continuation in
            DetachedThread.run {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, logPath ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
                var attributes = posix_spawnattr_t()
                posix_spawnattr_init(&attributes)
                Self.cleanStart(&attributes, ownProcessGroup: ownProcessGroup)
                let argv = arguments.map { strdup($0) } + [nil]
                let envp = Self.mergedEnvironment(environment).map { strdup($0) } + [nil]
                var pid: pid_t = 0
                let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
                posix_spawn_file_actions_destroy(&actions)
                posix_spawnattr_destroy(&attributes)
                argv.forEach { free($0) }
                envp.forEach { free($0) }
                guard status == 0 else {
                    continuation.resume(throwing: REPLError.localServerUnavailable(
                        "cannot run \(arguments[0]): \(String(cString: strerror(status)))"
                    ))
                    return
                }
                let child = ChildProcess(pid: pid)
                continuation.resume(returning: child)
                // This thread is the child's parent for PR_SET_PDEATHSIG: it stays until the child is gone.
                var exitStatus: Int32 = 0
                while waitpid(pid, &exitStatus, 0) < 0, errno == EINTR {}
                child.exited.store(true, ordering: .releasing)
            }
        }
    }

    /// Sets the attributes that give a child a clean start: empty signal mask, default dispositions
    /// for every signal, and optionally a process group of its own.
    static func cleanStart(_ attributes: inout posix_spawnattr_t, ownProcessGroup: Bool) {
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = Int32(POSIX_SPAWN_SETSIGMASK) | Int32(POSIX_SPAWN_SETSIGDEF)
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))
    }

    /// Variables of this process a child may see; everything else (provider API keys above all)
    /// stays out of a process that may outlive this one.
    static let passedThrough: Set<String> = [
        "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ",
        "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "LD_LIBRARY_PATH", "INCIDENT_REPL_TEST_RUN",
    ]

    /// The passed-through part of this process's environment with `additions` set, as `KEY=value`.
    private static func mergedEnvironment(_ additions: [String: String]) -> [String] {
        var merged: [String] = []
        var index = 0
        while let entry = environ[index] {
            let text = String(cString: entry)
            let key = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
            if additions[key] == nil, passedThrough.contains(key) { merged.append(text) }
            index += 1
        }
        for (key, value) in additions { merged.append("\(key)=\(value)") }
        return merged
    }

    /// SIGTERM, then SIGKILL if it has not exited within two seconds.
    func terminate() {
        guard !hasExited else { return }
        kill(pid, SIGTERM)
        for _ in 0..<100 {
            if hasExited { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        for _ in 0..<50 where !hasExited { usleep(20_000) }
    }
}
