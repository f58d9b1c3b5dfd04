#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import ConversationCore
public import LLMClients
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The append-only JSONL journal of one session, written as the conversation happens, by one
/// process at a time: creating or reopening it takes an exclusive lock (``JournalLock``).
///
/// Each event is one line, written with a single `write` to a file opened `O_APPEND` (0600, in a
/// 0700 directory) before the call returns: a killed process loses nothing `write` accepted. Lines
/// other than ``JournalEvent/answerDelta(_:)`` and estimator updates are then made durable with
/// `fdatasync` by a ``JournalSyncer`` on its own thread (at least once per turn; the turn does not
/// wait for the disk); ``waitUntilDurable()`` waits for it. Earlier lines are never rewritten.
///
/// Each line carries the hash of the line before it (``JournalChain``), from a random start value
/// in the first line; a journal written before chaining is continued without one.
///
/// Calls in one turn of ``ChatSession``:
/// 1. ``recordQuestion(_:)`` right after `conversation.appendUser`, **before** the request is sent;
/// 2. ``recordAnswerDelta(_:)`` for each text delta (optional; makes a partial answer survive a kill);
/// 3. ``recordAnswer(_:status:usage:firstToken:total:)`` right after `conversation.appendAssistant`
///    (also for an interrupted answer); nothing if the answer was empty;
/// 4. ``append(_:)`` with `.truncation(notice)` when the view reports a notice, and with the
///    matching event for `/strategy`, `/pin`, `/unpin`, `/role`, `/system` and `/model`.
public final class SessionJournal: Sendable {
    /// The journal file.
    public let path: String
    private let file: Mutex<PrivateFile>
    /// The hash chain, advanced under the file's lock as each line is written; nil for a journal
    /// written before chaining.
    private let chain: Mutex<JournalChain?>
    private let syncer: JournalSyncer
    /// The descriptor holding the lock (the syncer's, which the syncer closes).
    private let lockDescriptor: Int32
    private let clock: @Sendable () -> Date

    private init(
        path: String, isNew: Bool, clock: @escaping @Sendable () -> Date,
        sync: @escaping JournalSyncer.SyncFunction = JournalSyncer.fileDataSync
    ) throws {
        self.path = path
        let file = try PrivateFile(appendingTo: path)
        // The syncer's descriptor shares the open file description, and so the lock: taken before
        // anything is written, held until both descriptors are closed (or the process dies).
        let syncDescriptor = try file.duplicateDescriptor()
        do {
            try JournalLock.acquire(descriptor: syncDescriptor, path: path, session: Self.name(of: path))
        } catch {
            close(syncDescriptor)
            throw error
        }
        syncer = JournalSyncer(
            descriptor: syncDescriptor, path: path,
            newFileDirectory: isNew ? PrivateFile.directory(of: path) : nil, sync: sync
        )
        lockDescriptor = syncDescriptor
        self.file = Mutex(file)
        chain = Mutex(isNew ? JournalChain.start() : nil)
        self.clock = clock
    }

    deinit {
        // Released now, not when the syncer's thread has flushed and closed its descriptor: the
        // session can be resumed (here or elsewhere) as soon as this journal is gone.
        JournalLock.release(descriptor: lockDescriptor)
        syncer.stop()
    }

    /// Creates a new journal file (which must not exist) and writes its session line.
    /// - Parameters:
    ///   - path: The file to create; its directory is created 0700 if needed.
    ///   - start: Provider, model, role, system prompt and strategy at the start.
    ///   - clock: The time source for entries (injected by tests).
    /// - Throws: ``REPLError/file(path:reason:)`` if the file exists, cannot be written, or another
    ///   process holds the session (the message names the session and that process).
    public static func create(
        at path: String, start: JournalEvent.SessionStart, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> SessionJournal {
        try create(at: path, start: start, clock: clock, sync: JournalSyncer.fileDataSync)
    }

    /// ``create(at:start:clock:)`` with the flush injected (tests make it fail).
    static func create(
        at path: String, start: JournalEvent.SessionStart, clock: @escaping @Sendable () -> Date,
        sync: @escaping JournalSyncer.SyncFunction
    ) throws -> SessionJournal {
        if PrivateFile.exists(path) { throw REPLError.file(path: path, reason: "a session file already exists here") }
        let journal = try SessionJournal(path: path, isNew: true, clock: clock, sync: sync)
        try journal.append(.sessionStart(start))
        return journal
    }

    /// Opens an existing journal to append to it, as a resumed session does.
    ///
    /// If the file ends in a torn line, a newline is appended first so that the torn fragment stays
    /// one (skipped) line and the new entries are whole; nothing before it is touched.
    /// - Parameter endsWithNewline: From ``JournalReader/Result/endsWithNewline``.
    /// - Throws: ``REPLError/file(path:reason:)``, naming the session and the process, if another
    ///   process (or this one) has it open.
    /// The file is read once (under the lock) to continue its hash chain.
    public static func reopen(
        at path: String, endsWithNewline: Bool, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> SessionJournal {
        let journal = try reopen(at: path, clock: clock)
        journal.continueChain(JournalVerifier.verify(try PrivateFile.readAll(path)).continuation)
        if !endsWithNewline { try journal.terminateTornLine() }
        return journal
    }

    /// Continues the hash chain of the reopened file (``JournalVerification/continuation``; nil
    /// for a journal written before chaining, which stays without one).
    func continueChain(_ continuation: JournalChain?) {
        chain.withLock { $0 = continuation }
    }

    /// The hash of the last line written (the final chain hash so far); nil for a journal
    /// without a chain or before its first line.
    public var chainHead: String? {
        chain.withLock { chain in
            guard let chain, chain.nextIndex > 1 else { return nil }
            return chain.head
        }
    }

    /// Opens an existing journal and takes its lock, writing nothing: the caller reads the file
    /// under the lock (no other process can be appending), then calls ``terminateTornLine()`` if
    /// it ends in a torn line.
    static func reopen(at path: String, clock: @escaping @Sendable () -> Date) throws -> SessionJournal {
        try SessionJournal(path: path, isNew: false, clock: clock)
    }

    /// Ends a torn last line with a newline, so that the fragment stays one (skipped) line and the
    /// entries that follow are whole.
    func terminateTornLine() throws {
        try file.withLock { try $0.append([0x0A], sync: false) }
        syncer.requestSync()
    }

    /// The session's name: the file name without its directory and `.jsonl`.
    public var name: String { Self.name(of: path) }

    static func name(of path: String) -> String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".jsonl") ? String(file.dropLast(".jsonl".count)) : file
    }

    /// Appends one event, stamped now; asks for a flush unless it is an answer delta.
    public func append(_ event: JournalEvent) throws {
        try append(JournalEntry(time: clock(), event: event))
    }

    /// Appends one entry with its own time; asks for a flush unless it is an answer delta.
    /// Throws only if this line could not be written. A failed flush does not stop later lines from
    /// being written: ``takeSyncFailure()`` reports it.
    public func append(_ entry: JournalEntry) throws {
        let encoded = try entry.encodedLine()
        try file.withLock { file in
            try chain.withLock { chain in
                guard let current = chain else { return try file.append(encoded, sync: false) }
                let (line, next) = current.linking(encoded)
                try file.append(line, sync: false)
                chain = next  // only once the line is written: a failed write leaves no gap
            }
        }
        if entry.event.needsSync { syncer.requestSync() }
    }

    /// A flush (`fdatasync`) that failed since the last call, once; nil if none did. The lines are
    /// in the file (a killed process loses none), but the disk did not confirm them: a power loss or
    /// an OS crash could.
    public func takeSyncFailure() -> String? {
        syncer.takeFailure()
    }

    /// Returns once every line written so far that asked for it is on disk (called at exit). The
    /// wait happens on a thread of its own, not on the cooperative pool.
    public func waitUntilDurable() async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            DetachedThread.run { [syncer] in
                syncer.waitUntilDurable()
                done.resume()
            }
        }
    }

    /// Journals what the analyst typed. Call it before sending the request.
    public func recordQuestion(_ text: String) throws {
        try append(.user(text))
    }

    /// Journals a piece of the answer as it streams (unsynced).
    public func recordAnswerDelta(_ text: String) throws {
        guard !text.isEmpty else { return }
        try append(.answerDelta(text))
    }

    /// Journals a finished or interrupted answer with its usage and timing.
    /// - Parameters:
    ///   - firstToken: Time from sending the request to the first text delta.
    ///   - total: Time from sending the request to the end of the answer.
    ///   - stopReason: Why the answer ended; kept only when it was not the model's own end (an
    ///     answer cut at the token limit is marked so in the notes).
    public func recordAnswer(
        _ text: String, status: Message.Status, usage: TokenUsage = TokenUsage(),
        firstToken: Duration? = nil, total: Duration? = nil, stopReason: StopReason? = nil
    ) throws {
        try append(.assistant(JournalEvent.Answer(
            text: text, status: status, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens,
            firstTokenMilliseconds: firstToken.map(Self.milliseconds), totalMilliseconds: total.map(Self.milliseconds),
            stop: stopReason.flatMap { $0.kind == .endTurn ? nil : $0.kind.rawValue },
            cacheReadTokens: usage.cacheReadTokens, cacheWriteTokens: usage.cacheWriteTokens
        )))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
