/// The result of redacting one outgoing message.
public struct Redaction: Sendable, Equatable {
    /// One distinct secret found in the message.
    public struct Finding: Sendable, Equatable, Hashable {
        /// What kind of secret it is.
        public let kind: SecretKind
        /// The placeholder that replaced it, such as `[REDACTED:aws-access-key-1]`.
        public let placeholder: String
        /// How many times it occurred in this message.
        public let count: Int

        /// Creates a finding.
        public init(kind: SecretKind, placeholder: String, count: Int) {
            self.kind = kind
            self.placeholder = placeholder
            self.count = count
        }
    }

    /// The message with every secret replaced by its placeholder.
    public let text: String
    /// The distinct secrets replaced, in order of first occurrence.
    public let findings: [Finding]

    /// Creates a redaction result.
    public init(text: String, findings: [Finding]) {
        self.text = text
        self.findings = findings
    }

    /// Whether nothing was redacted.
    public var isUnchanged: Bool { findings.isEmpty }

    /// A one-line summary for the analyst, such as `redacted 2 secrets: aws-access-key ×1, github-token ×1`,
    /// counting distinct secrets per kind; `nil` when nothing was redacted.
    public var summary: String? {
        if findings.isEmpty { return nil }
        var perKind: [SecretKind: Int] = [:]
        for finding in findings { perKind[finding.kind, default: 0] += 1 }
        let parts = perKind.keys.sorted().map { "\($0.rawValue) ×\(perKind[$0] ?? 0)" }
        let noun = findings.count == 1 ? "secret" : "secrets"
        return "redacted \(findings.count) \(noun): " + parts.joined(separator: ", ")
    }
}
