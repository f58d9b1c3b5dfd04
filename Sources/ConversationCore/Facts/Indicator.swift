/// One case fact found in a message: an indicator of compromise or a labelled detail.
public struct Indicator: Sendable, Codable, Equatable, Hashable {
    /// What kind of fact it is.
    public enum Kind: String, Sendable, Codable, Hashable, CaseIterable {
        case ipv4, ipv6
        /// An IPv4 network in CIDR notation, kept whole: `45.155.205.0/24`.
        case cidr
        case domain, url, email, md5, sha1, sha256, cve
        /// A MITRE ATT&CK technique such as T1059 or T1059.001.
        case attackTechnique
        case filePath, host, user

        /// The label used in the case-facts block and `/facts`.
        public var label: String {
            switch self {
            case .ipv4: return "IPv4"
            case .ipv6: return "IPv6"
            case .cidr: return "CIDR range"
            case .domain: return "Domain"
            case .url: return "URL"
            case .email: return "E-mail"
            case .md5: return "MD5"
            case .sha1: return "SHA-1"
            case .sha256: return "SHA-256"
            case .cve: return "CVE"
            case .attackTechnique: return "ATT&CK"
            case .filePath: return "File path"
            case .host: return "Host"
            case .user: return "User"
            }
        }
    }

    /// What kind of fact it is.
    public var kind: Kind
    /// The fact as written (CVE and ATT&CK IDs upper-cased, hashes and domains lower-cased).
    public var value: String

    /// Creates an indicator.
    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// The identity used to recognise the same fact in later messages (case-insensitive
    /// where the kind is).
    public var key: String {
        switch kind {
        case .url, .filePath: return kind.rawValue + ":" + value
        default: return kind.rawValue + ":" + value.lowercased()
        }
    }
}
