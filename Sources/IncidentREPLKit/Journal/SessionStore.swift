#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The directory of session journals: naming, creating, listing, resuming.
///
/// A session named `NAME` is the file `NAME.jsonl` in ``directory`` (0700; files 0600), written by
/// one process at a time (``JournalLock``). `/new` starts a new session file, so a session is one
/// conversation; journals written before that may still hold ``JournalEvent/newConversation``
/// events, and replay keeps their earlier conversations apart.
public struct SessionStore: Sendable {
    /// Where the journals live.
    public let directory: String
    private let clock: @Sendable () -> Date
    private let utcOffsetSeconds: Int?

    /// - Parameters:
    ///   - directory: The sessions directory; created 0700 when the first session is.
    ///   - clock: The time source for default names and entries (injected by tests).
    ///   - utcOffsetSeconds: The zone for default names; nil for the local zone.
    public init(directory: String, clock: @escaping @Sendable () -> Date = { Date() }, utcOffsetSeconds: Int? = nil) {
        self.directory = directory
        self.clock = clock
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// `$XDG_STATE_HOME/incident-repl/sessions`, or `~/.local/state/incident-repl/sessions`.
    public static func standard(environment: [String: String]) -> SessionStore {
        SessionStore(directory: StatePaths.stateDirectory(environment: environment) + "/sessions")
    }

    /// Throws unless `name` can name a session file: not empty, no `/`, not starting with `.`,
    /// no control characters, at most 200 bytes.
    public static func validate(name: String) throws {
        let problem: String? =
            if name.isEmpty { "a session name cannot be empty" }
            else if name.contains("/") { "a session name cannot contain '/'" }
            else if name.hasPrefix(".") { "a session name cannot start with '.'" }
            else if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                "a session name cannot contain control characters"
            } else if name.utf8.count > 200 { "a session name is at most 200 bytes" }
            else { nil }
        if let problem { throw REPLError.configuration("invalid session name '\(name)': \(problem)") }
    }

    /// The journal file of the session `name`.
    public func path(for name: String) -> String {
        directory + "/" + name + ".jsonl"
    }

    /// A free name from the current time, `2026-11-24-2301`, or `2026-11-24-2301-2` if that is taken.
    public func defaultName() -> String {
        let base = LocalTime(clock(), utcOffsetSeconds: utcOffsetSeconds).sessionName
        var name = base
        var suffix = 2
        while PrivateFile.exists(path(for: name)) {
            name = "\(base)-\(suffix)"
            suffix += 1
        }
        return name
    }

    /// Starts a new session: creates its journal and writes the session line.
    /// - Parameters:
    ///   - name: From `--session NAME`; nil for ``defaultName()``. An existing name is refused.
    ///   - start: Provider, model, role, system prompt and strategy.
    /// - Returns: The journal; its name is the file name without `.jsonl`.
    public func create(named name: String?, start: JournalEvent.SessionStart) throws -> SessionJournal {
        let name = name ?? defaultName()
        try Self.validate(name: name)
        let path = path(for: name)
        if PrivateFile.exists(path) {
            throw REPLError.file(path: path, reason: "a session named '\(name)' already exists; resume it with --resume \(name)")
        }
        return try SessionJournal.create(at: path, start: start, clock: clock)
    }

    /// Reads and replays a session without opening it for writing (for `/export`, listings).
    public func load(_ name: String) throws -> ReplayedSession {
        try load(name, path: try existingPath(for: name)).session
    }

    /// Reopens a session's journal so the conversation continues in the same file, and replays it.
    ///
    /// The journal is locked first and read after, so what is replayed is what this process will
    /// append to: no other process can still be writing it. Its hash chain is checked on the way
    /// (one pass over the bytes already read): a broken chain, or none (a journal from before
    /// chaining), becomes one warning in the replayed session; either way the session resumes, and
    /// new lines continue the chain from the last line.
    /// - Throws: ``REPLError/file(path:reason:)`` for an unknown session, or one that another
    ///   process (or this one) has open; the message names the session and the process.
    public func resume(_ name: String) throws -> (session: ReplayedSession, journal: SessionJournal) {
        let path = try existingPath(for: name)
        let journal = try SessionJournal.reopen(at: path, clock: clock)
        let bytes = try PrivateFile.readAll(path)
        let read = JournalReader.parse(bytes)
        var session = ReplayedSession(name: name, journal: read)
        let verification = JournalVerifier.verify(bytes)
        journal.continueChain(verification.continuation)
        if let warning = JournalWarning(chain: verification) { session.warnings.append(warning) }
        if !read.endsWithNewline { try journal.terminateTornLine() }
        return (session, journal)
    }

    /// Every session, most recent activity first (ties: by name).
    public func list() throws -> [SessionSummary] {
        try names().map { name in
            let path = path(for: name)
            let bytes = try PrivateFile.readAll(path)
            let session = ReplayedSession(name: name, journal: JournalReader.parse(bytes))
            return SessionSummary(session: session, path: path, byteCount: bytes.count)
        }.sorted { a, b in
            let (x, y) = (a.lastActivity ?? .distantPast, b.lastActivity ?? .distantPast)
            return x != y ? x > y : a.name < b.name
        }
    }

    /// The session with the most recent activity, for `--resume` without a name.
    /// Sessions in which nothing was asked (a start, or `/new`, then quit) are passed over.
    public func latest() throws -> SessionSummary? {
        let sessions = try list()
        return sessions.first { $0.firstQuestion != nil } ?? sessions.first
    }

    // MARK: - Private

    /// Checks a session's hash chain (`incident-repl verify`).
    public func verify(_ name: String) throws -> JournalVerification {
        JournalVerifier.verify(try PrivateFile.readAll(try existingPath(for: name)))
    }

    func existingPath(for name: String) throws -> String {
        try Self.validate(name: name)
        let path = path(for: name)
        guard PrivateFile.exists(path) else {
            throw REPLError.file(path: path, reason: "no session named '\(name)' (see /sessions)")
        }
        return path
    }

    private func load(_ name: String, path: String) throws -> (session: ReplayedSession, journal: JournalReader.Result) {
        let journal = JournalReader.parse(try PrivateFile.readAll(path))
        return (ReplayedSession(name: name, journal: journal), journal)
    }

    /// Names of the `*.jsonl` files in the directory, skipping hidden (temporary) ones.
    func names() throws -> [String] {
        guard let handle = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw REPLError.file(path: directory, reason: String(cString: strerror(errno)))
        }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            guard name.hasSuffix(".jsonl"), !name.hasPrefix(".") else { continue }
            names.append(String(name.dropLast(".jsonl".count)))
        }
        return names.sorted()
    }
}
