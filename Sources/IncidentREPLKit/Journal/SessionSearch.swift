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
        let names: [String]
        switch query {
        case .indicator(let key, _, _):
            let state = try currentIndexes()
            names = state.names
            indexed = state.rebuilt
            let escaped = SessionIndex.escape(key)
            let present = Set(names)
            var found: [(session: String, postings: Substring)] = []
            if let global = state.global {
                found += global.postings(of: escaped).filter { present.contains($0.session) && state.changed[$0.session] == nil }
                global.close()
            }
            for (name, index) in state.changed {
                if let postings = index.postings(of: escaped) { found.append((name, Substring(postings))) }
            }
            hits = try resolve(found)
        case .text(let text):
            names = try store.names()
            guard !text.isEmpty else { break }
            // Lines are matched refanged and lower-cased; a journal whose bytes do not hold the
            // term (ASCII letters folded) cannot match and is not parsed. JSON escapes (quotes,
            // backslashes, control characters), non-ASCII case folding and defanged spellings
            // (`.`, `:`, `@`, `http` written otherwise) defeat that test, so then every journal is.
            let prefilter = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && !Array(#"".:@\"#.utf8).contains($0) }
                && !text.contains("http") && !text.contains("ftp") ? Array(text.utf8) : nil
            for name in names {
                let bytes = try PrivateFile.readAll(store.path(for: name))
                if let prefilter {
                    guard Self.containsFolded(bytes[...], prefilter) else { continue }
                    hits += Self.textHits(in: bytes, session: name, text: text, prefilter: prefilter)
                    continue
                }
                SessionIndex.walk(bytes) { posting, line in
                    if IndicatorKey.refanged(line).lowercased().contains(text) {
                        hits.append(Hit(session: name, turn: posting.turn, time: JournalEntry.millisecondDate(posting.milliseconds),
                                        role: posting.roleName, line: line))
                    }
                }
            }
        }
        hits.sort { ($0.time, $0.session, $0.turn) < ($1.time, $1.session, $1.turn) }
        return Result(query: query, hits: hits, sessionsSearched: names.count, sessionsIndexed: indexed)
    }

    /// Every session with its time span and indicator count, most recent activity first.
    public func overviews() throws -> [Overview] {
        let state = try currentIndexes()
        defer { state.global?.close() }
        return state.names.map { name in
            if let index = state.changed[name] { return SessionIndex.overview(name: name, summary: Substring(index.summary)) }
            if let summary = state.global?.sessions[name]?.summary { return SessionIndex.overview(name: name, summary: summary) }
            return Overview(name: name, created: nil, lastActivity: nil, messageCount: 0, indicatorCount: 0, firstQuestion: nil)
        }.sorted { a, b in
            let (x, y) = (a.lastActivity ?? .distantPast, b.lastActivity ?? .distantPast)
            return x != y ? x > y : a.name < b.name
        }
    }

    // MARK: - Private

    /// How many sessions may have changed since the combined index was written before it is
    /// rewritten; up to that many are read from their own index files instead.
    static let changedSessionsBeforeRewrite = 16

    /// The combined index and the sessions that changed since it was written (with their own,
    /// current, indexes); the combined index is rewritten first when it is missing or too many did.
    private func currentIndexes() throws -> (names: [String], global: GlobalIndex?, changed: [String: SessionIndex], rebuilt: Int) {
        let names = try store.names()
        var stamps: [String: String] = [:]
        for name in names { stamps[name] = Self.stamp(store.path(for: name)) ?? "" }
        let globalPath = indexDirectory + "/all.idx"
        var global = GlobalIndex.open(globalPath)
        let stale = names.filter { global?.sessions[$0]?.stamp != stamps[$0] }
        let removed = global.map { $0.sessions.keys.filter { stamps[$0] == nil }.count } ?? 0
        var rebuilt = 0
        if global == nil && !names.isEmpty || stale.count > Self.changedSessionsBeforeRewrite
            || removed > Self.changedSessionsBeforeRewrite
        {
            global?.close()
            var all: [String: SessionIndex] = [:]
            for name in names {
                let (index, fresh) = try currentIndex(of: name, stamp: stamps[name] ?? "")
                all[name] = index
                if fresh { rebuilt += 1 }
            }
            try? PrivateFile.makePrivateDirectory(indexDirectory)
            try? GlobalIndex.write(all, to: globalPath, replace: Self.replace)
            global = GlobalIndex.open(globalPath)
            if global == nil { return (names, nil, all, rebuilt) }  // could not be written: use them all directly
            return (names, global, [:], rebuilt)
        }
        var changed: [String: SessionIndex] = [:]
        for name in stale {
            let (index, fresh) = try currentIndex(of: name, stamp: stamps[name] ?? "")
            changed[name] = index
            if fresh { rebuilt += 1 }
        }
        return (names, global, changed, rebuilt)
    }

    /// The session's own index, rebuilt (and saved) if its journal changed since it was written.
    private func currentIndex(of name: String, stamp: String) throws -> (index: SessionIndex, rebuilt: Bool) {
        let indexPath = indexDirectory + "/" + name + ".idx"
        if !stamp.isEmpty, let bytes = try? PrivateFile.readAll(indexPath), let index = SessionIndex(bytes: bytes),
            index.stamp == stamp
        {
            return (index, false)
        }
        let journal = try PrivateFile.readAll(store.path(for: name))
        let index = SessionIndex.build(from: journal, stamp: stamp)
        // A cache: written whole (temporary file, rename) but not synced; a lost one is rebuilt.
        try? PrivateFile.makePrivateDirectory(indexDirectory)
        try? Self.replace(indexPath, with: index.bytes)
        return (index, true)
    }

    /// The hits behind postings: each session's journal is read once, and only the lines named
    /// are decoded (an answer rebuilt from streamed pieces is replayed whole).
    private func resolve(_ found: [(session: String, postings: Substring)]) throws -> [Hit] {
        var bySession: [String: [Posting]] = [:]
        for (session, postings) in found {
            bySession[session, default: []] += postings.split(separator: ",").compactMap(Posting.init)
        }
        var hits: [Hit] = []
        let decoder = JSONDecoder()
        for (session, postings) in bySession {
            let bytes = try PrivateFile.readAll(store.path(for: session))
            var lineStarts: [Int] = [0]
            for (offset, byte) in bytes.enumerated() where byte == 0x0A { lineStarts.append(offset + 1) }
            func text(of posting: Posting) -> String? {
                guard posting.line >= 1, posting.line <= lineStarts.count else { return nil }
                let start = lineStarts[posting.line - 1]
                let end = posting.line < lineStarts.count ? lineStarts[posting.line] - 1 : bytes.count
                guard start < end, let entry = try? decoder.decode(JournalEntry.self, from: Data(bytes[start..<end])) else {
                    return nil
                }
                switch entry.event {
                case .user(let text), .pin(let text): return text
                case .assistant(let answer): return answer.text
                default: return nil
                }
            }
            var rebuilt: [String: String]?
            for posting in postings {
                var line: String?
                if posting.role == "d" {
                    if rebuilt == nil {
                        var pieces: [String: String] = [:]
                        SessionIndex.walk(bytes) { found, text in
                            if found.role == "d" { pieces["\(found.line):\(found.part)"] = text }
                        }
                        rebuilt = pieces
                    }
                    line = rebuilt?["\(posting.line):\(posting.part)"]
                } else if let text = text(of: posting) {
                    let parts = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }
                    if posting.part < parts.count { line = String(parts[posting.part]) }
                }
                guard let line else { continue }
                hits.append(Hit(session: session, turn: posting.turn, time: JournalEntry.millisecondDate(posting.milliseconds),
                                role: posting.roleName, line: line))
            }
        }
        return hits
    }

    /// `size:mtime-ns` of a file; nil if it cannot be read.
    static func stamp(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return "\(info.st_size):\(Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))"
    }

    static func replace(_ path: String, with bytes: [UInt8]) throws {
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

    /// Text hits in one journal, decoding only the lines whose bytes hold the term: questions are
    /// counted from the raw `"type":"user"` (which cannot occur inside a JSON string), and
    /// streamed pieces are skipped (the answer line that follows them holds the same text).
    static func textHits(in bytes: [UInt8], session: String, text: String, prefilter: [UInt8]) -> [Hit] {
        let userMarker = Array(#""type":"user""#.utf8)
        let decoder = JSONDecoder()
        var hits: [Hit] = []
        var turn = 0
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let line = bytes[start..<end]
            start = end + 1
            // Keys are written sorted, so `type` comes last: look only at the end of the line.
            let isQuestion = containsFolded(line.suffix(userMarker.count + 64), userMarker)
            if isQuestion { turn += 1 }
            guard containsFolded(line, prefilter), let entry = try? decoder.decode(JournalEntry.self, from: Data(line)) else {
                continue
            }
            let (message, role): (String, String)
            switch entry.event {
            case .user(let text): (message, role) = (text, "analyst")
            case .assistant(let answer): (message, role) = (answer.text, "assistant")
            case .pin(let text): (message, role) = (text, "pin")
            default: continue
            }
            for piece in message.split(whereSeparator: \.isNewline) where piece.lowercased().contains(text) {
                hits.append(Hit(session: session, turn: turn, time: entry.time, role: role, line: String(piece)))
            }
        }
        return hits
    }

    /// Whether `bytes` contain `needle`, ASCII letters compared without case.
    static func containsFolded(_ bytes: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return needle.isEmpty }
        func fold(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
        let folded = needle.map(fold)
        let firstFolded = fold(first)
        return bytes.withUnsafeBufferPointer { buffer in
            var index = 0
            let last = buffer.count - folded.count
            guard last >= 0 else { return false }
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

