#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
public import ConversationCore
public import LLMClients
import Synchronization

/// The append-only JSONL journal of one session, written as the conversation happens.
///
/// Each event is one line, written with a single `write` to a file opened `O_APPEND` (0600, in a
/// 0700 directory) before the call returns: a killed process loses nothing `write` accepted. Lines
/// other than ``JournalEvent/answerDelta(_:)`` and estimator updates are then made durable with
/// `fdatasync` by a ``JournalSyncer`` on its own thread (at least once per turn; the turn does not
/// wait for the disk); ``waitUntilDurable()`` waits for it. Earlier lines are never rewritten.
///
/// Calls in one turn of ``ChatSession``:
/// 1. ``recordQuestion(_:)`` right after `conversation.appendUser`, **before** the request is sent;
/// 2. ``recordAnswerDelta(_:)`` for each text delta (optional; makes a partial answer survive a kill);
/// 3. ``recordAnswer(_:status:usage:firstToken:total:)`` right after `conversation.appendAssistant`
///    (also for an interrupted answer); nothing if the answer was empty;
/// 4. ``append(_:)`` with `.truncation(notice)` when the view reports a notice, and with the
///    matching event for `/strategy`, `/pin`, `/unpin`, `/role`, `/system`, `/model` and `/new`.
public final class SessionJournal: Sendable {
    /// The journal file.
    public let path: String
    private let file: Mutex<PrivateFile>
    private let syncer: JournalSyncer
    private let clock: @Sendable () -> Date

    private init(path: String, isNew: Bool, clock: @escaping @Sendable () -> Date) throws {
        self.path = path
        let file = try PrivateFile(appendingTo: path)
        syncer = JournalSyncer(
            descriptor: try file.duplicateDescriptor(), path: path,
            newFileDirectory: isNew ? PrivateFile.directory(of: path) : nil
        )
        self.file = Mutex(file)
        self.clock = clock
    }

    deinit {
        syncer.stop()
    }

    /// Creates a new journal file (which must not exist) and writes its session line.
    /// - Parameters:
    ///   - path: The file to create; its directory is created 0700 if needed.
    ///   - start: Provider, model, role, system prompt and strategy at the start.
    ///   - clock: The time source for entries (injected by tests).
    public static func create(
        at path: String, start: JournalEvent.SessionStart, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> SessionJournal {
        if PrivateFile.exists(path) { throw REPLError.file(path: path, reason: "a session file already exists here") }
        let journal = try SessionJournal(path: path, isNew: true, clock: clock)
        try journal.append(.sessionStart(start))
        return journal
    }

    /// Opens an existing journal to append to it, as a resumed session does.
    ///
    /// If the file ends in a torn line, a newline is appended first so that the torn fragment stays
    /// one (skipped) line and the new entries are whole; nothing before it is touched.
    /// - Parameter endsWithNewline: From ``JournalReader/Result/endsWithNewline``.
    public static func reopen(
        at path: String, endsWithNewline: Bool, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws -> SessionJournal {
        let journal = try SessionJournal(path: path, isNew: false, clock: clock)
        if !endsWithNewline {
            try journal.file.withLock { try $0.append([0x0A], sync: false) }
            journal.syncer.requestSync()
        }
        return journal
    }

    /// The session's name: the file name without its directory and `.jsonl`.
    public var name: String {
        let file = path.split(separator: "/").last.map(String.init) ?? path
        return file.hasSuffix(".jsonl") ? String(file.dropLast(".jsonl".count)) : file
    }

    /// Appends one event, stamped now; asks for a flush unless it is an answer delta.
    public func append(_ event: JournalEvent) throws {
        try append(JournalEntry(time: clock(), event: event))
    }

    /// Appends one entry with its own time; asks for a flush unless it is an answer delta.
    /// Throws if the line could not be written, or if an earlier flush failed.
    public func append(_ entry: JournalEntry) throws {
        if let failure = syncer.takeFailure() { throw REPLError.file(path: path, reason: failure) }
        let line = try entry.encodedLine()
        try file.withLock { try $0.append(line, sync: false) }
        if entry.event.needsSync { syncer.requestSync() }
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
    public func recordAnswer(
        _ text: String, status: Message.Status, usage: TokenUsage = TokenUsage(),
        firstToken: Duration? = nil, total: Duration? = nil
    ) throws {
        try append(.assistant(JournalEvent.Answer(
            text: text, status: status, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens,
            firstTokenMilliseconds: firstToken.map(Self.milliseconds), totalMilliseconds: total.map(Self.milliseconds),
            cacheReadTokens: usage.cacheReadTokens, cacheWriteTokens: usage.cacheWriteTokens
        )))
    }

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
