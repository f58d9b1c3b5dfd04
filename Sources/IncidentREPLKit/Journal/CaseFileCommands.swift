#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
import Safeguards

/// `incident-repl search`, `sessions` and `verify`: the case file from the command line, without a
/// model. Each returns what to print and the exit status; the executable only parses and prints.
public enum CaseFileCommands {
    /// What a command printed, and its exit status.
    public struct Report: Sendable, Equatable {
        /// Lines for standard output, already sanitized.
        public var output: [String] = []
        /// Lines for standard error, already sanitized.
        public var errors: [String] = []
        public var status: Int32 = 0
    }

    /// `search TERM`: every hit on its own line, oldest first; a summary on standard error.
    /// Exit status 0 with hits, 1 without, 2 on an error.
    public static func search(_ term: String, store: SessionStore, utcOffsetSeconds: Int? = nil) -> Report {
        var report = Report()
        let started = monotonicNanoseconds()
        do {
            let result = try SessionSearch(store: store).search(term)
            let elapsed = Double(monotonicNanoseconds() - started) / 1_000_000
            report.output = result.hits.map { $0.displayLine(utcOffsetSeconds: utcOffsetSeconds) }
            let what: String = switch result.query {
            case .indicator(_, let kind, let value): "as \(kind.label) \(value)"
            case .text(let text): "as text \"\(text)\""
            }
            let sessions = Set(result.hits.map(\.session)).count
            let hits = result.hits.count == 1 ? "1 hit" : "\(result.hits.count) hits"
            report.errors.append(OutputSanitizer.sanitize(
                "\(hits) in \(sessions) of \(result.sessionsSearched) session\(result.sessionsSearched == 1 ? "" : "s") "
                    + "(searched \(what); \(formatted(elapsed)) ms"
                    + (result.sessionsIndexed > 0 ? ", \(result.sessionsIndexed) indexed)" : ")")
            ))
            report.status = result.hits.isEmpty ? 1 : 0
        } catch {
            report.errors.append(OutputSanitizer.sanitize("error: \(error)"))
            report.status = 2
        }
        return report
    }

    /// `sessions`: one line per session with its first question, time span and indicator count,
    /// most recent first. Sessions in which nothing was said are counted, not listed.
    public static func sessions(store: SessionStore, utcOffsetSeconds: Int? = nil) -> Report {
        var report = Report()
        do {
            let all = try SessionSearch(store: store).overviews()
            let listed = all.filter { $0.messageCount > 0 }
            report.output = listed.map { $0.displayLine(utcOffsetSeconds: utcOffsetSeconds) }
            if listed.isEmpty { report.errors.append(OutputSanitizer.sanitize("no sessions in \(store.directory)")) }
            if all.count > listed.count {
                report.errors.append("(\(all.count - listed.count) session\(all.count - listed.count == 1 ? "" : "s") without messages not listed)")
            }
        } catch {
            report.errors.append(OutputSanitizer.sanitize("error: \(error)"))
            report.status = 2
        }
        return report
    }

    /// `verify [SESSION]` (the latest without one): the chain's state and final hash on standard
    /// output. Exit status 0 intact, 1 broken, 3 without a chain (cannot be verified), 2 on an error.
    public static func verify(_ name: String?, store: SessionStore) -> Report {
        var report = Report()
        do {
            guard let name = try name ?? store.latest()?.name else {
                report.errors.append(OutputSanitizer.sanitize("error: no journaled session in \(store.directory)"))
                report.status = 2
                return report
            }
            let result = try store.verify(name)
            report.output.append(OutputSanitizer.sanitize("session \(name): \(result.summary)"))
            for note in result.notes { report.output.append(OutputSanitizer.sanitize("  note: \(note)")) }
            if let hash = result.finalHash {
                report.output.append("final chain hash: sha256:\(hash)")
                report.output.append("  (exported notes end with the hash of the journal as it was; an edit of the last "
                    + "line or lines cut from the end show only as a different hash)")
            }
            switch result.status {
            case .intact: report.status = 0
            case .broken: report.status = 1
            case .unchained: report.status = 3
            }
        } catch {
            report.errors.append(OutputSanitizer.sanitize("error: \(error)"))
            report.status = 2
        }
        return report
    }

    static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    static func formatted(_ milliseconds: Double) -> String {
        milliseconds < 10 ? String(Double(Int(milliseconds * 10)) / 10) : String(Int(milliseconds.rounded()))
    }
}
