/// A line of a journal that could not be used, or was used with a caveat. Never fatal.
public struct JournalWarning: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The last line has no newline and is not valid JSON: a write was cut short. Skipped.
        case tornLastLine
        /// The last line has no newline but is a complete entry. Kept.
        case unterminatedLastLine
        /// A line before the last one is not a valid entry (garbage, or an event type this build
        /// does not know). Skipped.
        case invalidLine
        /// The file does not start with a session line; defaults were used.
        case missingSessionStart
        /// The hash chain is broken at ``line`` (the session still resumes).
        case brokenChain
        /// The journal has no hash chain (written before journals were chained). Said once.
        case noChain
    }

    public var kind: Kind
    /// The 1-based line number.
    public var line: Int
    /// What was wrong, for the analyst.
    public var reason: String

    public init(kind: Kind, line: Int, reason: String) {
        self.kind = kind
        self.line = line
        self.reason = reason
    }

    public var description: String {
        switch kind {
        case .tornLastLine: "line \(line): torn last line skipped (\(reason))"
        case .unterminatedLastLine: "line \(line): last line had no newline; it is complete and was kept"
        case .invalidLine: "line \(line): invalid line skipped (\(reason))"
        case .missingSessionStart: "line \(line): \(reason)"
        case .brokenChain: "hash chain broken at line \(line): \(reason) (incident-repl verify shows it again)"
        case .noChain: "no hash chain (written before journals were chained): it cannot be verified"
        }
    }

    /// The warning a resume gives for a journal's chain: nil when it is intact.
    init?(chain verification: JournalVerification) {
        switch verification.status {
        case .intact: return nil
        case .unchained: self.init(kind: .noChain, line: 1, reason: "")
        case .broken(let line, let reason): self.init(kind: .brokenChain, line: line, reason: reason)
        }
    }
}
