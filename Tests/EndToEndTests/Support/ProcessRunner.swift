import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit

/// Runs the built `incident-repl` (or any program) with standard input from bytes and output
/// captured to files, the way an analyst's shell would pipe a transcript.
struct ProcessRunner {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    /// The directory holding the products of this build (the test bundle sits beside the binaries).
    static var productsDirectory: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // Swift Testing's runner may live inside the .xctest bundle or beside it.
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("incident-repl").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        return directory.path
    }

    static var binary: String { productsDirectory + "/incident-repl" }

    /// Starts a process with standard input from `stdinPath` and output to files; returns its pid.
    static func start(
        _ executable: String = binary, arguments: [String], stdinPath: String, stdoutPath: String, stderrPath: String,
        environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdinPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // A clean start whatever this thread blocks or ignores (the test runner's threads block
        // nearly every signal): an empty mask and default dispositions, so SIGTERM and SIGHUP work.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        ChildProcess.cleanStart(&attributes, ownProcessGroup: false)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
        return pid
    }

    /// Runs a process to completion. The waiting happens on a thread of its own, never on the
    /// cooperative pool, so that other tests' async work (and the transport's consumers) keep running.
    static func run(
        _ executable: String = binary, arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Swift.Result {
                    try runBlocking(executable, arguments: arguments, stdin: stdin, environment: environment, timeout: timeout)
                })
            }
        }
    }

    /// The blocking form, for `deinit`s and threads that are not the cooperative pool's.
    static func runBlocking(
        _ executable: String = binary, arguments: [String], stdin: [UInt8] = [], environment: [String: String] = [:],
        timeout: Duration = .seconds(300)
    ) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ir-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let inPath = scratch.appendingPathComponent("stdin").path
        let outPath = scratch.appendingPathComponent("stdout").path
        let errPath = scratch.appendingPathComponent("stderr").path
        try Data(stdin).write(to: URL(fileURLWithPath: inPath))

        let pid = try start(executable, arguments: arguments, stdinPath: inPath, stdoutPath: outPath, stderrPath: errPath,
                            environment: environment)

        var status: Int32 = 0
        var timedOut = false
        let deadline = ContinuousClock.now + timeout
        while waitpid(pid, &status, WNOHANG) == 0 {
            if ContinuousClock.now > deadline {
                timedOut = true
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(
            status: exitStatus,
            stdout: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: outPath))) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: errPath))) ?? Data(), as: UTF8.self),
            timedOut: timedOut
        )
    }
}
