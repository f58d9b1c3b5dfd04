#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
public import ConversationCore
import Safeguards

/// `incident-repl search TERM` and `incident-repl sessions`: every journaled session searched
/// without a model.
///
/// An indicator (in any spelling ``IndicatorKey`` knows: defanged, any case, any IPv6 form) is
/// looked up in a per-session index of canonical indicator keys, `.index/NAME.idx` next to the
/// journals (0600 in a 0700 directory: it holds the lines the indicators came from). An index is
/// rebuilt when its journal's size or modification time changed since it was written, so a search
/// reads only the small index files of the sessions that did not change. Any other term is
/// searched as text, case-insensitively, in the questions, answers and pins of every journal.
public struct SessionSearch: Sendable {
    /// One matching line.
    public struct Hit: Sendable, Equatable {
        public var session: String
        /// The analyst's question number in the session (1-based); an answer belongs to the
        /// question before it.
        public var turn: Int
        public var time: Date
        /// `analyst`, `assistant` or `pin`.
        public var role: String
        /// The line as journaled (not yet sanitized: ``displayLine(utcOffsetSeconds:)`` is).
        public var line: String

        /// `2026-11-24 23:01:05 +01:00  web01  turn 3  analyst: …`, sanitized for the terminal.
        public func displayLine(utcOffsetSeconds: Int? = nil) -> String {
            let time = LocalTime(time, utcOffsetSeconds: utcOffsetSeconds).displayString
            let text = line.count > 400 ? String(line.prefix(399)) + "…" : line
            return OutputSanitizer.sanitize("\(time)  \(session)  turn \(turn)  \(role): \(text)")
        }
    }

    /// What a term is searched as.
    public enum Query: Sendable, Equatable {
        /// An indicator, by its canonical key (`ip:203.0.113.45`, `domain:evil.example`, …).
        case indicator(key: String, kind: Indicator.Kind, value: String)
        /// Text, lower-cased.
        case text(String)
    }

    /// The hits, oldest first, and how much work the search did.
    public struct Result: Sendable, Equatable {
        public var query: Query
        public var hits: [Hit]
        public var sessionsSearched: Int
        /// Sessions whose index was (re)built by this search.
        public var sessionsIndexed: Int
    }

    /// One row of `incident-repl sessions`.
    public struct Overview: Sendable, Equatable {
        public var name: String
        public var created: Date?
        public var lastActivity: Date?
        public var messageCount: Int
        /// Distinct indicators in the questions, answers and pins.
        public var indicatorCount: Int
        /// The first question, on one line, sanitized, shortened.
        public var firstQuestion: String?

        /// `2026-11-24 23:01 → 23:47  web01  12 messages, 7 indicators  first question`.
        public func displayLine(utcOffsetSeconds: Int? = nil) -> String {
            func minute(_ date: Date) -> String {
                String(LocalTime(date, utcOffsetSeconds: utcOffsetSeconds).displayString.prefix(16))
            }
            var span = created.map(minute) ?? "????-??-?? ??:??"
            if let created, let lastActivity {
                let (start, end) = (minute(created), minute(lastActivity))
                span += start.prefix(10) == end.prefix(10) ? " → " + end.suffix(5) : " → " + end
            }
            let messages = messageCount == 1 ? "1 message" : "\(messageCount) messages"
            let indicators = indicatorCount == 1 ? "1 indicator" : "\(indicatorCount) indicators"
            return "\(span)  \(OutputSanitizer.sanitize(name))  \(messages), \(indicators)  "
                + (firstQuestion ?? "(no question yet)")
        }
    }

    public let store: SessionStore

    public init(store: SessionStore) {
        self.store = store
    }

    /// Where the per-session indexes live.
    public var indexDirectory: String { store.directory + "/.index" }

    /// How `term` is searched: as an indicator if it is exactly one (in any spelling), else as text.
    public static func query(for term: String) -> Query {
        let trimmed = String(term.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        let found = IndicatorKey.indicators(in: trimmed)
        if found.count == 1, let key = found[0].keys.first, !trimmed.contains(" ") {
            let value = key.firstIndex(of: ":").map { String(key[key.index(after: $0)...]) } ?? found[0].indicator.value
            return .indicator(key: key, kind: found[0].indicator.kind, value: value)
        }
        return .text(IndicatorKey.refanged(trimmed).lowercased())
    }

    /// Searches every session for `term`.
    public func search(_ term: String) throws -> Result {
        let query = Self.query(for: term)
        var hits: [Hit] = []
        var indexed = 0
        let names = try store.names()
        switch query {
        case .indicator(let key, _, _):
            let needle = Array(("\nI\t" + SessionIndex.escape(key) + "\t").utf8)
            for name in names {
                let (index, rebuilt) = try currentIndex(of: name)
                if rebuilt { indexed += 1 }
                hits += index.hits(matching: needle, session: name)
            }
        case .text(let text):
            guard !text.isEmpty else { break }
            // Lines are matched refanged and lower-cased; a journal whose bytes do not hold the
            // term (ASCII letters folded) cannot match and is not parsed. JSON escapes (quotes,
            // backslashes, control characters), non-ASCII case folding and defanged spellings
            // (`.`, `:`, `@`, `http` written otherwise) defeat that test, so then every journal is.
            let prefilter = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && !Array(#"".:@\"#.utf8).contains($0) }
                && !text.contains("http") && !text.contains("ftp") ? Array(text.utf8) : nil
            for name in names {
                let bytes = try PrivateFile.readAll(store.path(for: name))
                if let prefilter, !Self.containsFolded(bytes, prefilter) { continue }
                SessionIndex.walk(JournalReader.parse(bytes).entries) { turn, time, role, line in
                    if IndicatorKey.refanged(line).lowercased().contains(text) {
                        hits.append(Hit(session: name, turn: turn, time: time, role: role, line: line))
                    }
                }
            }
        }
        hits.sort { ($0.time, $0.session, $0.turn) < ($1.time, $1.session, $1.turn) }
        return Result(query: query, hits: hits, sessionsSearched: names.count, sessionsIndexed: indexed)
    }

    /// Every session with its time span and indicator count, most recent activity first.
    public func overviews() throws -> [Overview] {
        try store.names().map { try currentIndex(of: $0).index.overview(name: $0) }.sorted { a, b in
            let (x, y) = (a.lastActivity ?? .distantPast, b.lastActivity ?? .distantPast)
            return x != y ? x > y : a.name < b.name
        }
    }

    // MARK: - Private

    /// The session's index, rebuilt (and saved) if its journal changed since it was written.
    private func currentIndex(of name: String) throws -> (index: SessionIndex, rebuilt: Bool) {
        let journalPath = store.path(for: name)
        let indexPath = indexDirectory + "/" + name + ".idx"
        let stamp = Self.stamp(journalPath)
        if let stamp, let bytes = try? PrivateFile.readAll(indexPath), let index = SessionIndex(bytes: bytes),
            index.stamp == stamp
        {
            return (index, false)
        }
        let journal = try PrivateFile.readAll(journalPath)
        let index = SessionIndex.build(from: journal, stamp: stamp ?? "")
        // A cache: written whole (temporary file, rename) but not synced; a lost one is rebuilt.
        try? PrivateFile.makePrivateDirectory(indexDirectory)
        try? Self.replace(indexPath, with: index.bytes)
        return (index, true)
    }

    /// `size:mtime-ns` of a file; nil if it cannot be read.
    static func stamp(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_size):\(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))"
    }

    private static func replace(_ path: String, with bytes: [UInt8]) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let file = try PrivateFile(appendingTo: temporary)
        do {
            try file.append(bytes, sync: false)
        } catch {
            unlink(temporary)
            throw error
        }
        if rename(temporary, path) != 0 { unlink(temporary) }
    }

    /// Whether `bytes` contain `needle`, ASCII letters compared without case.
    static func containsFolded(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return needle.isEmpty }
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        let folded = needle.map(fold)
        let firstFolded = fold(first)
        return bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let last = buffer.count - folded.count
            while index <= last {
                if fold(buffer[index]) == firstFolded {
                    var matched = 1
                    while matched < folded.count, fold(buffer[index + matched]) == folded[matched] { matched += 1 }
                    if matched == folded.count { return true }
                }
                index += 1
            }
            return false
        }
    }
}

/// The index of one session: a small text file of tab-separated lines.
///
/// ```
/// incident-repl-index 1 <TAB> size:mtime of the journal
/// S <TAB> created ms <TAB> last ms <TAB> messages <TAB> indicators <TAB> first question
/// I <TAB> key <TAB> turn <TAB> ms <TAB> role <TAB> line
/// ```
/// Text fields escape `\`, tab, newline and carriage return. A lookup is a byte search for
/// `\nI\tKEY\t`, without parsing the rest.
struct SessionIndex {
    var stamp: String
    var bytes: [UInt8]

    static let magic = "incident-repl-index 1\t"

    init?(bytes: [UInt8]) {
        let magic = Array(Self.magic.utf8)
        guard bytes.starts(with: magic), let end = bytes.firstIndex(of: 0x0A) else { return nil }
        stamp = String(decoding: bytes[magic.count..<end], as: UTF8.self)
        self.bytes = bytes
    }

    /// Indexes a journal's questions, answers (an answer cut short included) and pins, line by line.
    static func build(from journal: [UInt8], stamp: String) -> SessionIndex {
        let entries = JournalReader.parse(journal).entries
        var postings = ""
        var keys: Set<String> = []
        var firstQuestion: String?
        var messages = 0
        var lastTurn = -1
        var lastRole = ""
        walk(entries) { turn, time, role, line in
            if role == "analyst", firstQuestion == nil { firstQuestion = line }
            if role != "pin", turn != lastTurn || role != lastRole { messages += 1 }
            (lastTurn, lastRole) = (turn, role)
            let milliseconds = JournalEntry.milliseconds(time)
            var seen: Set<String> = []
            for (_, indicatorKeys) in IndicatorKey.indicators(in: line) {
                for key in indicatorKeys where seen.insert(key).inserted {
                    keys.insert(key)
                    postings += "I\t\(escape(key))\t\(turn)\t\(milliseconds)\t\(role)\t\(escape(line))\n"
                }
            }
        }
        let created = entries.first.map { JournalEntry.milliseconds($0.time) }.map(String.init) ?? ""
        let last = entries.last.map { JournalEntry.milliseconds($0.time) }.map(String.init) ?? ""
        let question = firstQuestion.map { escape(SessionSummary.preview($0)) } ?? ""
        let text = Self.magic + stamp + "\n" + "S\t\(created)\t\(last)\t\(messages)\t\(keys.count)\t\(question)\n" + postings
        return SessionIndex(bytes: Array(text.utf8))!
    }

    /// Calls `body` with every line of every question, answer and pin: its turn, time and role.
    /// Deltas of an answer that never finished stand for it, as replay does.
    static func walk(_ entries: [JournalEntry], _ body: (Int, Date, String, String) -> Void) {
        var turn = 0
        var pending: (text: String, time: Date)?
        func emit(_ text: String, _ time: Date, _ role: String) {
            for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
                body(turn, time, role, String(line))
            }
        }
        func flush() {
            if let partial = pending { emit(partial.text, partial.time, "assistant") }
            pending = nil
        }
        for entry in entries {
            switch entry.event {
            case .user(let text):
                flush()
                turn += 1
                emit(text, entry.time, "analyst")
            case .answerDelta(let text):
                pending = ((pending?.text ?? "") + text, entry.time)
            case .assistant(let answer):
                pending = nil
                emit(answer.text, entry.time, "assistant")
            case .pin(let text):
                emit(text, entry.time, "pin")
            case .newConversation:
                flush()
            default:
                break
            }
        }
        flush()
    }

    /// The hits whose posting line starts with `needle` (`\nI\tKEY\t`).
    func hits(matching needle: [UInt8], session: String) -> [SessionSearch.Hit] {
        var hits: [SessionSearch.Hit] = []
        bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let last = buffer.count - needle.count
            while index <= last {
                if buffer[index] == 0x0A, buffer[index + 1] == needle[1] {
                    var matched = 2
                    while matched < needle.count, buffer[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count {
                        let start = index + 1
                        var end = start
                        while end < buffer.count, buffer[end] != 0x0A { end += 1 }
                        let fields = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
                            .split(separator: "\t", omittingEmptySubsequences: false)
                        if fields.count == 6, let turn = Int(fields[2]), let milliseconds = Int64(fields[3]) {
                            hits.append(.init(session: session, turn: turn, time: JournalEntry.millisecondDate(milliseconds),
                                              role: String(fields[4]), line: Self.unescape(fields[5])))
                        }
                        index = end
                        continue
                    }
                }
                index += 1
            }
        }
        return hits
    }

    /// The session's row for `incident-repl sessions`.
    func overview(name: String) -> SessionSearch.Overview {
        var overview = SessionSearch.Overview(name: name, created: nil, lastActivity: nil, messageCount: 0,
                                              indicatorCount: 0, firstQuestion: nil)
        guard let start = bytes.firstIndex(of: 0x0A).map({ $0 + 1 }), start < bytes.count else { return overview }
        let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        let fields = String(decoding: bytes[start..<end], as: UTF8.self).split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "S" else { return overview }
        overview.created = Int64(fields[1]).map(JournalEntry.millisecondDate)
        overview.lastActivity = Int64(fields[2]).map(JournalEntry.millisecondDate)
        overview.messageCount = Int(fields[3]) ?? 0
        overview.indicatorCount = Int(fields[4]) ?? 0
        overview.firstQuestion = fields[5].isEmpty ? nil : OutputSanitizer.sanitize(Self.unescape(fields[5]))
        return overview
    }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return text }
        var result = ""
        for character in text {
            switch character {
            case "\\": result += "\\\\"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\r\n": result += "\\r\\n"
            default: result.append(character)
            }
        }
        return result
    }

    static func unescape(_ text: Substring) -> String {
        guard text.contains("\\") else { return String(text) }
        var result = ""
        var escaped = false
        for character in text {
            if escaped {
                switch character {
                case "t": result.append("\t")
                case "n": result.append("\n")
                case "r": result.append("\r")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}
