/// Finds indicators of compromise and labelled case details in free text, without regular
/// expressions: the text is split into tokens once and each token is classified.
///
/// Recognised: IPv4 (four octets in range, optional port dropped), IPv4 CIDR ranges kept whole
/// (`45.155.205.0/24`), IPv6, URLs (http, https, ftp, sftp; defanging such as `hxxp`, `[.]`, `[dot]`, `[@]` is undone, see ``Defanging``),
/// e-mail addresses (not a `Message-ID:`, `In-Reply-To:` or `References:` value), domains (a top-level
/// domain of the Public Suffix List, see ``TopLevelDomains``, or a reserved name such as `.example`;
/// never a common file extension such as `.pdf` or `.exe`, and `.zip`/`.mov` only for names with a
/// hyphen or more than two labels), MD5/SHA-1/SHA-256 hashes, bare or as the value of a key
/// (`sha256=…`, Sysmon's `Hashes: SHA1=…,MD5=…,SHA256=…`, and any `key=value` whose value is an
/// indicator: `dst=198.51.100.7`), CVE IDs, ATT&CK technique IDs, absolute file paths
/// (`/etc/passwd`, `C:\Windows\…`, `\\server\share`, `%APPDATA%\…`; never an RFC 2047 encoded
/// word), host names in the Windows and asset-tag style (`WS-042`, `DESKTOP-7F3K2LQ`), and host
/// names, user names and paths where a label names them: `host: WS-042`, `user=jdoe`,
/// `hostname WS-042`. A bare label with no `:` or `=` (`host WS-042`) only counts when the value
/// looks like an identifier (has a digit, `-`, `_`, `\` or `$`, or is all capitals), so
/// "the user clicked" yields nothing.
public enum IndicatorExtractor {
    /// The distinct facts in `text`, in order of first appearance.
    public static func indicators(in text: String) -> [Indicator] {
        var source = refanged(text)
        source.makeContiguousUTF8()
        let found = source.utf8.withContiguousStorageIfAvailable { bytes in
            indicators(in: source, bytes: bytes)
        }
        return found ?? Array(source.utf8).withUnsafeBufferPointer { indicators(in: source, bytes: $0) }
    }

    /// The facts in `source` (already refanged), whose UTF-8 is `bytes`.
    static func indicators(in source: String, bytes: UnsafeBufferPointer<UInt8>) -> [Indicator] {
        var found: [Indicator] = []
        var seen: Set<String> = []
        func add(_ indicator: Indicator) {
            if seen.insert(indicator.key).inserted { found.append(indicator) }
        }
        var tokens = IndicatorTokenizer(text: source, bytes: bytes)
        var upcoming = tokens.next()
        var inMessageIDs = false
        while let current = upcoming {
            upcoming = tokens.next()
            if isPlainWord(bytes, current) {
                inMessageIDs = false
                continue
            }
            let raw = trimLeading(tokens.substring(current))
            // A Message-ID looks like an address but names a mail, not a mailbox.
            if isMessageIDHeader(raw) {
                inMessageIDs = true
                continue
            }
            if inMessageIDs {
                if raw.utf8.contains(UInt8(ascii: "@")) { continue }
                inMessageIDs = false
            }
            if let (labelKind, inlineValue) = label(raw) {
                if let inlineValue {
                    if let fact = labelled(labelKind, trimTrailing(inlineValue)) { add(fact) }
                    continue
                }
                if let next = upcoming {
                    let value = trimTrailing(trimLeading(tokens.substring(next)))
                    let bare = raw.last != ":" && raw.last != "="
                    if !bare || looksLikeIdentifier(value), let fact = labelled(labelKind, value) {
                        add(fact)
                        upcoming = tokens.next()
                        continue
                    }
                }
            }
            if let fact = classify(trimTrailing(raw)) { add(fact) }
        }
        return found
    }

    /// Whether the token at `range` can be no fact and no label: ASCII letters (fewer than 32, so
    /// never a hash) followed by nothing but `.`, `!` or `?`, and not a bare label such as `host`.
    /// Most of any text is such words; for them the full path (``label(_:)``, ``trimTrailing(_:)``,
    /// ``classify(_:)``) finds nothing either.
    static func isPlainWord(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Bool {
        var index = range.lowerBound
        while index < range.upperBound, (bytes[index] | 0x20) >= 0x61 && (bytes[index] | 0x20) <= 0x7A { index += 1 }
        let letters = index - range.lowerBound
        guard letters < 32 else { return false }
        if index == range.upperBound {
            // Only an exact bare label (case-insensitive) can start a labelled fact.
            return !isBareLabel(UnsafeBufferPointer(rebasing: bytes[range]))
        }
        while index < range.upperBound {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "!"), UInt8(ascii: "?"): index += 1
            default: return false
            }
        }
        return true
    }

    /// Whether ASCII letters spell one of ``bareLabels``, in any case.
    static func isBareLabel(_ letters: UnsafeBufferPointer<UInt8>) -> Bool {
        for label in bareLabelBytes where label.count == letters.count {
            if zip(label, letters).allSatisfy({ $0 == $1 | 0x20 }) { return true }
        }
        return false
    }

    /// Headers whose values are Message-IDs (`<id@host>`), which are not e-mail addresses.
    static let messageIDHeaders: Set<String> = ["message-id:", "in-reply-to:", "references:", "msgid:", "message-id="]

    /// Whether `token` is a header that announces Message-IDs.
    static func isMessageIDHeader(_ token: Substring) -> Bool {
        let length = token.utf8.count
        return length >= 6 && length <= 12 && messageIDHeaders.contains(token.lowercased())
    }

    // MARK: - Tokens

    static func refanged(_ text: String) -> String {
        Defanging.refanged(text)
    }

    /// Whether the UTF-8 of `pattern` (non-empty ASCII) occurs in the UTF-8 of `text`.
    static func containsBytes(_ text: String, _ pattern: String) -> Bool {
        let needle = Array(pattern.utf8)
        let first = needle[0]
        let utf8 = text.utf8
        if let found = utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            var index = 0
            let last = bytes.count - needle.count
            while index <= last {
                if bytes[index] == first {
                    var matched = 1
                    while matched < needle.count, bytes[index + matched] == needle[matched] { matched += 1 }
                    if matched == needle.count { return true }
                }
                index += 1
            }
            return false
        }) {
            return found
        }
        return Array(utf8).firstRange(of: needle) != nil
    }

    static func isDelimiter(_ character: Character) -> Bool {
        switch character {
        case " ", "\t", "\n", "\r", "\r\n", ",", ";", "\"", "'", "`", "(", ")", "[", "]", "{", "}", "<", ">", "|":
            return true
        default:
            return character.isWhitespace
        }
    }

    static func trimLeading(_ token: Substring) -> Substring {
        token.drop(while: { $0 == "*" || $0 == "_" })
    }

    static func trimTrailing(_ token: Substring) -> Substring {
        var result = token
        while let last = result.last, ".,:;!?*_".contains(last) {
            if last == ":" && result.hasSuffix("::") { break }
            result = result.dropLast()
        }
        return result
    }

    // MARK: - Labels

    static let hostLabels: Set<String> = [
        "host", "hostname", "computer", "computername", "workstation", "device", "machine", "endpoint",
    ]
    static let userLabels: Set<String> = [
        "user", "username", "account", "accountname", "login", "samaccountname", "targetusername",
        "subjectusername",
    ]
    static let pathLabels: Set<String> = ["path", "file", "filepath", "filename", "image"]
    static let bareLabels: Set<String> = ["host", "hostname", "user", "username"]
    static let bareLabelBytes: [[UInt8]] = bareLabels.map { Array($0.utf8) }
    static let stopWords: Set<String> = [
        "the", "a", "an", "is", "was", "and", "or", "of", "to", "in", "on", "for", "with", "name", "unknown", "none",
    ]

    /// The kind a label announces, and the value when it is written in the same token (`user=jdoe`).
    static func label(_ token: Substring) -> (Indicator.Kind, Substring?)? {
        var key = token
        var value: Substring?
        if let separator = token.firstIndex(where: { $0 == ":" || $0 == "=" }) {
            key = token[..<separator]
            let rest = token[token.index(after: separator)...]
            value = rest.isEmpty ? nil : rest
        }
        let lowered = key.lowercased()
        let hasSeparator = key.endIndex != token.endIndex
        if !hasSeparator && !bareLabels.contains(lowered) { return nil }
        if hostLabels.contains(lowered) { return (.host, value) }
        if userLabels.contains(lowered) { return (.user, value) }
        if pathLabels.contains(lowered) { return (.filePath, value) }
        return nil
    }

    static func looksLikeIdentifier(_ value: Substring) -> Bool {
        if value.contains(where: { $0.isNumber || "-_\\$".contains($0) }) { return true }
        return value.count >= 2 && value.allSatisfy { $0.isUppercase }
    }

    static func labelled(_ kind: Indicator.Kind, _ value: Substring) -> Indicator? {
        guard !value.isEmpty, value.count <= 256, !stopWords.contains(value.lowercased()) else { return nil }
        switch kind {
        case .host:
            if let fact = classify(value), fact.kind == .ipv4 || fact.kind == .ipv6 { return fact }
            guard value.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" || $0 == "." || $0 == "_" }),
                value.contains(where: { $0.isLetter || $0.isNumber })
            else { return nil }
        case .user:
            guard value.allSatisfy({ ($0.isLetter || $0.isNumber) || "-._\\$@".contains($0) }),
                value.contains(where: { $0.isLetter || $0.isNumber })
            else { return nil }
        case .filePath:
            if isEncodedWord(value) { return nil }
        default:
            break
        }
        return Indicator(kind: kind, value: String(value))
    }

    /// Whether `value` is (or holds) an RFC 2047 encoded word such as `=?UTF-8?B?SW52b2ljZS5wZGY=?=`:
    /// a mail header's encoding of a name, not a path.
    static func isEncodedWord(_ value: Substring) -> Bool {
        guard let start = value.firstRange(of: "=?") else { return false }
        return value[start.upperBound...].contains("?=")
    }

    // MARK: - Classification

    static func classify(_ token: Substring) -> Indicator? {
        guard token.utf8.count >= 3 else { return nil }
        // Plain words (ASCII letters only, shorter than any hash) are never an indicator: every kind
        // needs a digit, a dot, a colon, a slash or an @. Most of any text is such words.
        if token.utf8.count < 32, token.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) { return nil }
        let text = String(token)
        if let url = url(text) { return url }
        if let (key, value) = keyValue(token) {
            // `sha256=…`, Sysmon's `SHA1=…` (its `Hashes:` list splits at the commas), `dst=…`.
            return fingerprintKeys.contains(key.lowercased()) || isEncodedWord(value) ? nil : classify(value)
        }
        if token.utf8.contains(UInt8(ascii: "@")) { return email(token) }
        if let id = cveOrTechnique(token) { return id }
        if let range = cidr(token) { return Indicator(kind: .cidr, value: range) }
        if let ip = ipv4(token) { return Indicator(kind: .ipv4, value: ip) }
        if isIPv6(token) { return Indicator(kind: .ipv6, value: text.lowercased()) }
        if let hash = hash(token) { return hash }
        if isPath(token) { return Indicator(kind: .filePath, value: text) }
        if isDomain(token) { return Indicator(kind: .domain, value: text.lowercased()) }
        if isHostName(token) { return Indicator(kind: .host, value: text) }
        return nil
    }

    /// Keys whose MD5-length values are fingerprints of something other than a file.
    static let fingerprintKeys: Set<String> = ["imphash", "ja3", "ja3s", "hassh", "hasshserver", "pehash"]

    /// Hash names that may be followed by `:` as well as `=` (`SHA256:e3b0…`).
    static let hashKeys: Set<String> = ["md5", "sha1", "sha-1", "sha256", "sha-256"]

    /// The key and the value of a `key=value` token (or `hash:value` for a hash name), when the key
    /// is an identifier of at most 40 characters and the value is not empty.
    static func keyValue(_ token: Substring) -> (key: Substring, value: Substring)? {
        guard let separator = token.firstIndex(where: { $0 == "=" || $0 == ":" }), separator != token.startIndex else {
            return nil
        }
        let key = token[..<separator]
        let value = token[token.index(after: separator)...]
        guard !value.isEmpty, key.utf8.count <= 40,
            key.utf8.allSatisfy({ isASCIIAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return nil }
        if token[separator] == ":" && !hashKeys.contains(key.lowercased()) { return nil }
        return (key, value)
    }

    static func isASCIIAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z"))
    }

    /// An IPv4 network in CIDR notation (`45.155.205.0/24`), kept whole.
    static func cidr(_ token: Substring) -> String? {
        guard let slash = token.firstIndex(of: "/") else { return nil }
        let prefix = token[token.index(after: slash)...]
        guard (1...2).contains(prefix.utf8.count), allDigits(prefix), let bits = Int(prefix), bits <= 32,
            ipv4(token[..<slash]) != nil
        else { return nil }
        return String(token)
    }

    /// Prefixes of upper-case `ABC-123` tokens that name standards, advisories, tickets or threat
    /// actors rather than hosts.
    static let nonHostPrefixes: Set<String> = [
        "SHA", "MD", "AES", "RSA", "DES", "UTF", "ISO", "RFC", "TLS", "SSL", "CVE", "CWE", "CAPEC", "GHSA", "IR", "INC",
        "TA", "KB", "MS", "HMAC", "ECDSA", "SECP", "ID", "RC", "PS", "HTTP", "HTTPS", "IPV", "PCI", "NIST", "SP", "CIS",
        "APT", "UNC", "DEV", "FIN", "TEMP", "COVID", "GPT", "ATT", "CAT", "SEV", "PRIORITY", "CASE", "TICKET", "JIRA",
        "CHG", "REQ", "RITM", "SIR", "SEC", "VULN", "TCP", "UDP", "PORT", "EVENT", "LEVEL", "TOP", "PHASE", "STEP",
        "PID", "PPID", "TID", "NTLM", "LM", "NT", "SMB", "WPA", "ECDHE", "DHE", "ECDH", "AEAD", "GCM", "CBC", "IKE",
        "ERROR", "WARN", "INFO", "DEBUG", "FATAL", "CODE", "STATUS", "RULE", "SIGMA", "YARA", "MITRE", "OWASP", "CVSS",
        "EPSS", "SOC", "MFA", "OTP", "API", "VPN", "WAF", "EDR", "XDR", "SIEM", "IDS", "IPS", "DLP", "OSC",
    ]

    /// A host name in the Windows and asset-tag style: upper-case letters, digits and hyphens,
    /// starting with at least two letters, with a hyphen and a digit (`WS-042`, `SRV-DB01`,
    /// `DESKTOP-7F3K2LQ`), and not a standard or ticket ID (`SHA-256`, `INC-7`).
    static func isHostName(_ token: Substring) -> Bool {
        let bytes = token.utf8
        guard (4...63).contains(bytes.count), let dash = token.firstIndex(of: "-"), token.last != "-",
            bytes.allSatisfy({ ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }),
            bytes.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return false }
        let prefix = token[..<dash]
        guard prefix.utf8.count >= 2, prefix.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            return false
        }
        return !nonHostPrefixes.contains(String(prefix))
    }

    static func url(_ text: String) -> Indicator? {
        let lowered = text.prefix(8).lowercased()
        for scheme in ["http://", "https://", "ftp://", "sftp://"] where lowered.hasPrefix(scheme) {
            return text.utf8.count > scheme.utf8.count ? Indicator(kind: .url, value: text) : nil
        }
        return nil
    }

    static func email(_ token: Substring) -> Indicator? {
        let parts = token.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._%+-".contains($0)) }),
            isDomain(parts[1])
        else { return nil }
        return Indicator(kind: .email, value: token.lowercased())
    }

    static func allDigits<S: StringProtocol>(_ text: S) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    static func cveOrTechnique(_ token: Substring) -> Indicator? {
        if token.utf8.count >= 13, token.prefix(4).uppercased() == "CVE-" {
            let parts = token.dropFirst(4).split(separator: "-", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0].utf8.count == 4, allDigits(parts[0]), parts[1].utf8.count >= 4,
                allDigits(parts[1])
            {
                return Indicator(kind: .cve, value: token.uppercased())
            }
            return nil
        }
        if token.first == "T" {
            let parts = token.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
            if parts[0].utf8.count == 4, allDigits(parts[0]),
                parts.count == 1 || (parts.count == 2 && parts[1].utf8.count == 3 && allDigits(parts[1]))
            {
                return Indicator(kind: .attackTechnique, value: String(token))
            }
        }
        return nil
    }

    /// The address without any `:port` or `/prefix` suffix, when the token is an IPv4 address.
    static func ipv4(_ token: Substring) -> String? {
        var address = token
        if let suffix = token.firstIndex(where: { $0 == ":" || $0 == "/" }) {
            let rest = token[token.index(after: suffix)...]
            guard allDigits(rest), rest.utf8.count <= 5 else { return nil }
            address = token[..<suffix]
        }
        let octets = address.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        for octet in octets {
            guard octet.utf8.count <= 3, allDigits(octet), let value = Int(octet), value <= 255 else { return nil }
        }
        return String(address)
    }

    static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    static func isIPv6(_ token: Substring) -> Bool {
        var address = token
        if let zone = token.firstIndex(of: "%") { address = token[..<zone] }
        guard address.utf8.contains(UInt8(ascii: ":")),
            address.utf8.allSatisfy({ isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") })
        else { return false }
        let text = String(address)
        let halves = text.split(separator: "::", omittingEmptySubsequences: false)
        guard halves.count <= 2 else { return false }
        var groups = 0
        for (position, half) in halves.enumerated() where !half.isEmpty {
            let parts = half.split(separator: ":", omittingEmptySubsequences: false)
            for (offset, part) in parts.enumerated() {
                let isLast = position == halves.count - 1 && offset == parts.count - 1
                if isLast && part.contains(".") {
                    guard ipv4(part) != nil else { return false }
                    groups += 2
                } else {
                    guard (1...4).contains(part.utf8.count), part.utf8.allSatisfy(isHexDigit) else { return false }
                    groups += 1
                }
            }
        }
        guard text.utf8.contains(where: isHexDigit) else { return false }
        return halves.count == 2 ? groups <= 7 : groups == 8
    }

    static func hash(_ token: Substring) -> Indicator? {
        let kind: Indicator.Kind
        switch token.utf8.count {
        case 32: kind = .md5
        case 40: kind = .sha1
        case 64: kind = .sha256
        default: return nil
        }
        guard token.utf8.allSatisfy(isHexDigit), !allDigits(token) else { return nil }
        return Indicator(kind: kind, value: token.lowercased())
    }

    static func isPath(_ token: Substring) -> Bool {
        let bytes = Array(token.utf8.prefix(3))
        if bytes[0] == UInt8(ascii: "/") || (bytes[0] == UInt8(ascii: "~") && bytes[1] == UInt8(ascii: "/")) {
            return token.split(separator: "/").count >= 2 && !token.contains("//")
        }
        if bytes[0] == UInt8(ascii: "\\") && bytes[1] == UInt8(ascii: "\\") { return bytes[2] != UInt8(ascii: "\\") }
        if bytes[1] == UInt8(ascii: ":") && bytes[2] == UInt8(ascii: "\\") {
            return (bytes[0] | 0x20) >= UInt8(ascii: "a") && (bytes[0] | 0x20) <= UInt8(ascii: "z")
        }
        if bytes[0] == UInt8(ascii: "%"), let close = token.dropFirst().firstIndex(of: "%") {
            return token[token.index(after: close)...].hasPrefix("\\")
        }
        return false
    }

    /// Top-level domains of the Public Suffix List (``TopLevelDomains``) and the reserved and
    /// special-use names incident notes use (`.example`, `.test`, `.local`, internal names).
    static let topLevelDomains: Set<String> = {
        var names = Set(TopLevelDomains.list.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init))
        names.formUnion(["example", "test", "invalid", "localhost", "local", "lan", "corp", "internal", "home", "intranet", "onion"])
        return names
    }()

    /// Top-level domains that are also common file extensions: a domain only when the name has a
    /// hyphen or more than two labels (`secure-docs.zip`, not `invoice.zip`).
    static let ambiguousTLDs: Set<String> = ["zip", "mov"]

    static let fileExtensions: Set<String> = [
        "pdf", "txt", "exe", "dll", "doc", "docx", "docm", "xls", "xlsx", "xlsm", "ppt", "pptx", "rar", "gz",
        "tgz", "tar", "js", "ts", "py", "rb", "sh", "ps", "ps1", "psm1", "bat", "cmd", "vbs", "jar", "log", "csv",
        "json", "xml", "yaml", "yml", "html", "htm", "png", "jpg", "jpeg", "gif", "bmp", "svg", "md", "ini", "cfg",
        "conf", "tmp", "dat", "bin", "iso", "img", "msi", "lnk", "hta", "scr", "sys", "drv", "ocx", "cpl", "swift",
        "cs", "cpp", "go", "rs", "java", "class", "php", "pl", "mp4", "mp3", "wav", "eml", "msg", "pst",
        "evtx", "pcap", "pcapng", "db", "sqlite", "so", "dmg", "pkg", "deb", "rpm", "apk", "lock", "bak", "old",
    ]

    static func isDomain(_ token: Substring) -> Bool {
        let labels = token.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, token.utf8.count <= 253, let tld = labels.last else { return false }
        let topLevel = tld.lowercased()
        guard topLevel.utf8.count >= 2, topLevel.utf8.count <= 24,
            topLevel.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }),
            !fileExtensions.contains(topLevel), topLevelDomains.contains(topLevel)
        else { return false }
        if ambiguousTLDs.contains(topLevel), labels.count == 2, !labels[0].contains("-") { return false }
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                label.utf8.allSatisfy({ byte in
                    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                        || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                })
            else { return false }
        }
        return true
    }
}
