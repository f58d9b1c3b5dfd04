#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
import Safeguards

/// Where an indicator was said: a text line of a question, answer or pin in a journal.
struct Posting: Equatable {
    var turn: Int
    var milliseconds: Int64
    /// `u` analyst, `a` assistant, `p` pin, `d` an answer rebuilt from streamed pieces.
    var role: Character
    /// The journal line (1-based) of the entry holding the text (the first piece for `d`).
    var line: Int
    /// Which non-blank text line of that message (0-based).
    var part: Int

    var text: String { "\(turn):\(milliseconds):\(role):\(line):\(part)" }

    init(turn: Int, milliseconds: Int64, role: Character, line: Int, part: Int) {
        (self.turn, self.milliseconds, self.role, self.line, self.part) = (turn, milliseconds, role, line, part)
    }

    init?(_ text: Substring) {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 5, let turn = Int(fields[0]), let milliseconds = Int64(fields[1]), let role = fields[2].first,
            let line = Int(fields[3]), let part = Int(fields[4])
        else { return nil }
        self.init(turn: turn, milliseconds: milliseconds, role: role, line: line, part: part)
    }

    var roleName: String {
        switch role {
        case "u": "analyst"
        case "p": "pin"
        default: "assistant"
        }
    }
}

/// The index of one session, `.index/NAME.idx`: what `sessions` lists and where each indicator was said.
///
/// ```
/// incident-repl-index 2 <TAB> size:mtime of the journal
/// S <TAB> created ms <TAB> last ms <TAB> messages <TAB> indicators <TAB> first question
/// I <TAB> key <TAB> posting,posting,…          (sorted by key)
/// ```
struct SessionIndex {
    var stamp: String
    var summary: String
    /// Key → postings text, in key order.
    var keys: [(key: String, postings: String)]

    static let magic = "incident-repl-index 2\t"

    var bytes: [UInt8] {
        var text = Self.magic + stamp + "\n" + summary + "\n"
        for (key, postings) in keys { text += "I\t\(key)\t\(postings)\n" }
        return Array(text.utf8)
    }

    init(stamp: String, summary: String, keys: [(key: String, postings: String)]) {
        (self.stamp, self.summary, self.keys) = (stamp, summary, keys)
    }

    init?(bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard let first = lines.popFirst(), first.hasPrefix(Self.magic), let summary = lines.popFirst(),
            summary.hasPrefix("S\t")
        else { return nil }
        stamp = String(first.dropFirst(Self.magic.count))
        self.summary = String(summary)
        keys = []
        for line in lines where line.hasPrefix("I\t") {
            let fields = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            keys.append((String(fields[1]), String(fields[2])))
        }
    }

    /// Indexes a journal's questions, answers (an answer cut short included) and pins, line by line.
    static func build(from journal: [UInt8], stamp: String) -> SessionIndex {
        var postings: [String: [String]] = [:]
        var firstQuestion: String?
        var messages = 0
        var lastMessage = (line: -1, role: Character(" "))
        var created: Int64?
        var last: Int64?
        walk(journal, onEntry: { time in
            let milliseconds = JournalEntry.milliseconds(time)
            if created == nil { created = milliseconds }
            last = milliseconds
        }) { posting, text in
            if posting.role == "u", firstQuestion == nil { firstQuestion = text }
            if posting.role != "p", (posting.line, posting.role) != lastMessage { messages += 1 }
            lastMessage = (posting.line, posting.role)
            var seen: Set<String> = []
            for (_, indicatorKeys) in IndicatorKey.indicators(in: text) {
                for key in indicatorKeys where seen.insert(key).inserted {
                    postings[escape(key), default: []].append(posting.text)
                }
            }
        }
        let question = firstQuestion.map { escape(SessionSummary.preview($0)) } ?? ""
        let summary = "S\t\(created.map(String.init) ?? "")\t\(last.map(String.init) ?? "")\t\(messages)\t\(postings.count)\t\(question)"
        let keys = postings.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { ($0.key, $0.value.joined(separator: ",")) }
        return SessionIndex(stamp: stamp, summary: summary, keys: keys)
    }

    /// Calls `body` with every non-blank text line of every question, answer and pin, in journal
    /// order, and `onEntry` with the time of every entry. Deltas of an answer that never finished
    /// stand for it, as replay does.
    static func walk(_ bytes: [UInt8], onEntry: (Date) -> Void = { _ in }, _ body: (Posting, String) -> Void) {
        var turn = 0
        var pending: (text: String, time: Date, line: Int)?
        func emit(_ text: String, _ time: Date, _ role: Character, _ line: Int) {
            var part = 0
            for piece in text.split(whereSeparator: \.isNewline) where !piece.allSatisfy(\.isWhitespace) {
                body(Posting(turn: turn, milliseconds: JournalEntry.milliseconds(time), role: role, line: line, part: part),
                     String(piece))
                part += 1
            }
        }
        func flush() {
            if let partial = pending { emit(partial.text, partial.time, "d", partial.line) }
            pending = nil
        }
        let decoder = JSONDecoder()
        var start = 0
        var lineNumber = 0
        while start < bytes.count {
            lineNumber += 1
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
            let range = start..<end
            start = end + 1
            guard range.count > 2, let entry = try? decoder.decode(JournalEntry.self, from: Data(bytes[range])) else { continue }
            onEntry(entry.time)
            switch entry.event {
            case .user(let text):
                flush()
                turn += 1
                emit(text, entry.time, "u", lineNumber)
            case .answerDelta(let text):
                pending = ((pending?.text ?? "") + text, entry.time, pending?.line ?? lineNumber)
            case .assistant(let answer):
                pending = nil
                emit(answer.text, entry.time, "a", lineNumber)
            case .pin(let text):
                emit(text, entry.time, "p", lineNumber)
            case .newConversation:
                flush()
            default:
                break
            }
        }
        flush()
    }

    /// The postings of `key` (escaped), if the session has any.
    func postings(of key: String) -> String? {
        let target = Array(key.utf8)
        var low = 0
        var high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if Array(keys[middle].key.utf8).lexicographicallyPrecedes(target) { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low].key == key ? keys[low].postings : nil
    }

    /// The session's row for `incident-repl sessions`, from its summary line.
    static func overview(name: String, summary: Substring) -> SessionSearch.Overview {
        var overview = SessionSearch.Overview(name: name, created: nil, lastActivity: nil, messageCount: 0,
                                              indicatorCount: 0, firstQuestion: nil)
        let fields = summary.split(separator: "\t", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "S" else { return overview }
        overview.created = Int64(fields[1]).map(JournalEntry.millisecondDate)
        overview.lastActivity = Int64(fields[2]).map(JournalEntry.millisecondDate)
        overview.messageCount = Int(fields[3]) ?? 0
        overview.indicatorCount = Int(fields[4]) ?? 0
        overview.firstQuestion = fields[5].isEmpty ? nil : OutputSanitizer.sanitize(unescape(fields[5]))
        return overview
    }

    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
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

/// Every session's indicators in one file, `.index/all.idx`, sorted by key so that a lookup is a
/// binary search with a few small reads, however many sessions there are.
///
/// ```
/// incident-repl-all 2
/// N <TAB> name <TAB> stamp <TAB> S-line fields…     (one per session it covers)
/// --
/// key <TAB> name US posting,posting <TAB> name US posting …     (sorted by key bytes; US = 0x1F)
/// ```
/// Session names cannot hold control characters, so tab and 0x1F separate safely.
struct GlobalIndex {
    static let magic = "incident-repl-all 2\n"

    /// The sessions it covers: name → (stamp, summary line).
    var sessions: [String: (stamp: String, summary: Substring)] = [:]
    private var descriptor: Int32 = -1
    private var bodyStart = 0
    private var size = 0

    /// Opens and reads the header of `path`; nil if it is missing or not an index.
    static func open(_ path: String) -> GlobalIndex? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else { Glibc.close(fd); return nil }
        var index = GlobalIndex()
        index.descriptor = fd
        index.size = Int(info.st_size)
        // The header: read until the `--` line.
        var header: [UInt8] = []
        let terminator = Array("\n--\n".utf8)
        while header.count < index.size {
            let chunk = index.read(at: header.count, count: 65_536)
            if chunk.isEmpty { break }
            let searchFrom = max(0, header.count - 3)
            header += chunk
            // A plain byte loop: the generic `firstRange(of:)` costs milliseconds here.
            if let end = Self.end(of: terminator, in: header, from: searchFrom) {
                header.removeSubrange(end...)
                break
            }
        }
        let magicBytes = Array(magic.utf8)
        guard header.starts(with: magicBytes), header.count >= magicBytes.count + 3,
            header.suffix(4).elementsEqual(terminator)
        else { Glibc.close(fd); return nil }
        index.bodyStart = header.count
        // Split on bytes: the header is read on every search.
        for line in header[magicBytes.count..<(header.count - 3)].split(separator: 0x0A) where line.first == UInt8(ascii: "N") {
            let fields = line.split(separator: 0x09, maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else { continue }
            index.sessions[String(decoding: fields[1], as: UTF8.self)] = (
                String(decoding: fields[2], as: UTF8.self), Substring("S\t" + String(decoding: fields[3], as: UTF8.self))
            )
        }
        return index
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// The index just past the first occurrence of `pattern` in `bytes` at or after `start`.
    static func end(of pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var index = start
        while index <= bytes.count - pattern.count {
            if bytes[index] == pattern[0] {
                var matched = 1
                while matched < pattern.count, bytes[index + matched] == pattern[matched] { matched += 1 }
                if matched == pattern.count { return index + pattern.count }
            }
            index += 1
        }
        return nil
    }

    private func read(at offset: Int, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return got > 0 ? Array(buffer[..<got]) : []
    }

    /// The line starting at `offset` (without its newline), and where the next one starts.
    private func line(at offset: Int) -> (bytes: [UInt8], next: Int) {
        var bytes: [UInt8] = []
        var position = offset
        while position < size {
            let chunk = read(at: position, count: bytes.isEmpty ? 512 : 65_536)
            if chunk.isEmpty { break }
            if let newline = chunk.firstIndex(of: 0x0A) {
                bytes += chunk[..<newline]
                return (bytes, position + newline + 1)
            }
            bytes += chunk
            position += chunk.count
        }
        return (bytes, size)
    }

    /// The postings of `key` (escaped), by session name.
    func postings(of key: String) -> [(session: String, postings: Substring)] {
        let target = Array(key.utf8) + [0x09]
        func keyOfLine(_ bytes: [UInt8]) -> [UInt8] {
            (bytes.firstIndex(of: 0x09).map { Array(bytes[...$0]) }) ?? bytes
        }
        var low = bodyStart
        var high = size
        while low < high {
            let middle = low + (high - low) / 2
            // The first line that starts at or after `middle`.
            var start = middle
            if middle > bodyStart {
                let probe = line(at: middle - 1)
                start = probe.next
            }
            if start >= high {
                high = middle
                continue
            }
            let (bytes, next) = line(at: start)
            if keyOfLine(bytes).lexicographicallyPrecedes(target) { low = next } else { high = start }
        }
        guard low < size else { return [] }
        let bytes = line(at: low).bytes
        guard bytes.starts(with: target) else { return [] }
        let text = String(decoding: bytes[target.count...], as: UTF8.self)
        return text.split(separator: "\t").compactMap { group in
            guard let separator = group.firstIndex(of: "\u{1F}") else { return nil }
            return (String(group[..<separator]), group[group.index(after: separator)...])
        }
    }

    /// Writes the index of `indexes` (name → per-session index) to `path`.
    static func write(_ indexes: [String: SessionIndex], to path: String, replace: (String, [UInt8]) throws -> Void) throws {
        var header = magic
        var merged: [String: [String]] = [:]
        for (name, index) in indexes.sorted(by: { $0.key < $1.key }) {
            header += "N\t\(name)\t\(index.stamp)\t\(index.summary.dropFirst(2))\n"
            for (key, postings) in index.keys { merged[key, default: []].append(name + "\u{1F}" + postings) }
        }
        header += "--\n"
        var body: [UInt8] = Array(header.utf8)
        for (key, groups) in merged.sorted(by: { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }) {
            body += Array(key.utf8)
            for group in groups {
                body.append(0x09)
                body += Array(group.utf8)
            }
            body.append(0x0A)
        }
        try replace(path, body)
    }
}
