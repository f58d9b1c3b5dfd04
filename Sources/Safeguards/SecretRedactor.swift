/// Replaces secrets in outgoing text with typed, stable placeholders before it leaves the machine.
///
/// Each distinct secret gets a placeholder such as `[REDACTED:aws-access-key-1]`, numbered per
/// kind, and keeps it for the whole conversation, so the analyst and the model can still
/// correlate repeats. Indicators (addresses, domains, hashes, CVE and ATT&CK IDs, UUIDs, paths,
/// user and host names, ordinary base64) are left alone; see ``SecretKind`` for what is matched.
///
/// The redactor is a value that can be saved with the conversation and restored. Its saved form
/// holds SHA-256 digests of the secrets, never the secrets themselves. (A digest of a short,
/// guessable password can still be brute-forced, so keep the saved file private.)
///
/// ```swift
/// var redactor = SecretRedactor()
/// let redaction = redactor.redact(userMessage)
/// if let summary = redaction.summary { print(summary) }  // redacted 1 secret: jwt ×1
/// send(redaction.text)
/// ```
public struct SecretRedactor: Sendable, Codable, Equatable {
    /// Placeholder by SHA-256 of kind and secret.
    private var placeholders: [String: String] = [:]
    /// The last number handed out per kind (by raw value).
    private var lastNumbers: [String: Int] = [:]

    /// Creates a redactor with no secrets seen yet.
    public init() {}

    /// How many distinct secrets have been given placeholders so far.
    public var secretCount: Int { placeholders.count }

    /// Replaces every secret in `text` with its placeholder, assigning new placeholders to secrets
    /// not seen before.
    /// - Parameter text: An outgoing message, possibly containing pasted logs.
    /// - Returns: The redacted text and one finding per distinct secret.
    public mutating func redact(_ text: String) -> Redaction {
        if let result = text.utf8.withContiguousStorageIfAvailable({ redact(text, bytes: $0) }) {
            return result
        }
        var native = text
        native.makeContiguousUTF8()
        return redact(native)
    }

    private mutating func redact(_ text: String, bytes: UnsafeBufferPointer<UInt8>) -> Redaction {
        let matches = SecretScanner(bytes).matches()
        if matches.isEmpty { return Redaction(text: text, findings: []) }

        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var findings: [Redaction.Finding] = []
        var findingIndex: [String: Int] = [:]
        var copied = 0
        for match in matches {
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied..<match.range.lowerBound]))
            let placeholder = placeholder(for: match.kind, secret: UnsafeBufferPointer(rebasing: bytes[match.range]))
            output.append(contentsOf: placeholder.utf8)
            copied = match.range.upperBound
            if let index = findingIndex[placeholder] {
                let old = findings[index]
                findings[index] = Redaction.Finding(kind: old.kind, placeholder: placeholder, count: old.count + 1)
            } else {
                findingIndex[placeholder] = findings.count
                findings.append(Redaction.Finding(kind: match.kind, placeholder: placeholder, count: 1))
            }
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[copied...]))
        return Redaction(text: String(decoding: output, as: UTF8.self), findings: findings)
    }

    private mutating func placeholder(for kind: SecretKind, secret: UnsafeBufferPointer<UInt8>) -> String {
        var keyed = Array(kind.rawValue.utf8)
        keyed.append(0)
        keyed.append(contentsOf: secret)
        let digest = SHA256.hexDigest(keyed)
        if let existing = placeholders[digest] { return existing }
        let number = (lastNumbers[kind.rawValue] ?? 0) + 1
        lastNumbers[kind.rawValue] = number
        let placeholder = "[REDACTED:\(kind.rawValue)-\(number)]"
        placeholders[digest] = placeholder
        return placeholder
    }
}
