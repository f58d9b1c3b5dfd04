/// One secret found by ``SecretScanner``: a byte range of the scanned text and its kind.
struct SecretMatch: Sendable, Equatable {
    var range: Range<Int>
    var kind: SecretKind
}

/// Finds secrets in UTF-8 text with one hand-written pass over the bytes (no `Regex`), so a
/// 10 MB paste is scanned in well under a second.
///
/// Design choices for the generic `key=value` rule, which is the noisy one:
/// * The key must *end* with a secret word (`password`, `passwd`, `pwd`, `passphrase`, `secret`,
///   `token`, `api_key`, `apikey`, `access_key`, `secret_key`, `private_key`, `credential(s)`,
///   `auth_key`, with `-` and `_` interchangeable, any case): `db_password=` and `client-secret:`
///   match, `secretId:` (an ARN in CloudTrail), `tokens=` and `Token Elevation Type:` do not.
/// * The value must be at least 8 characters with a Shannon entropy of at least 3.0 bits per
///   character. So `password=changeme` (2.75 bits) and `password: ********` stay; they are
///   accepted false negatives, as in gitleaks (which uses 3.5). The value alone is replaced.
/// * Values that look like paths (`/…`, `~/…`, `C:\…`, `\\…`), template variables (`$…`, `%…`,
///   `{…`, `<…`), Vault `hmac-sha256:` digests or an earlier placeholder are never redacted:
///   sudo's `PWD=/var/www` is a directory.
/// * A key that is a segment of a colon- or slash-joined name is not a key: in an ARN
///   `…:secret:prod/db` the word `secret` is a resource type.
struct SecretScanner {
    private let bytes: UnsafeBufferPointer<UInt8>

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// All matches, non-overlapping, in text order.
    func matches() -> [SecretMatch] {
        var found: [SecretMatch] = []
        let count = bytes.count
        var index = 0
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: ":"), UInt8(ascii: "="):
                if let match = keyValueSecret(separatorAt: index) { found.append(match) }
                if byte == UInt8(ascii: ":"), let match = urlCredentials(colonAt: index) { found.append(match) }
                if byte == UInt8(ascii: "="), let match = urlSignature(equalsAt: index) { found.append(match) }
            case UInt8(ascii: ","):
                // `define('DB_PASSWORD', '…')`: a quoted key, a comma, a quoted value.
                if index > 0, bytes[index - 1] == UInt8(ascii: "'") || bytes[index - 1] == UInt8(ascii: "\""),
                    let match = keyValueSecret(separatorAt: index)
                {
                    found.append(match)
                }
            case UInt8(ascii: "-"):
                if let match = privateKeyBlock(at: index) { found.append(match) }
                if let match = commandLinePassword(dashAt: index) { found.append(match) }
            case UInt8(ascii: "A"), UInt8(ascii: "g"), UInt8(ascii: "x"), UInt8(ascii: "s"), UInt8(ascii: "e"),
                UInt8(ascii: "h"):
                if index == 0 || !Self.isWord(bytes[index - 1]) {
                    if let match = prefixedToken(at: index) {
                        found.append(match)
                        index = match.range.upperBound
                        continue
                    }
                }
            default:
                break
            }
            index += 1
        }
        let accessKeys = found.filter { $0.kind == .awsAccessKey }.map(\.range)
        if !accessKeys.isEmpty { found += awsSecretKeys(near: accessKeys) }
        return Self.resolveOverlaps(found)
    }

    /// Keeps, among overlapping matches, the earliest; at equal starts, the most specific, then the longest.
    static func resolveOverlaps(_ matches: [SecretMatch]) -> [SecretMatch] {
        let sorted = matches.sorted {
            if $0.range.lowerBound != $1.range.lowerBound { return $0.range.lowerBound < $1.range.lowerBound }
            if $0.kind.priority != $1.kind.priority { return $0.kind.priority < $1.kind.priority }
            return $0.range.count > $1.range.count
        }
        var kept: [SecretMatch] = []
        var end = 0
        for match in sorted where match.range.lowerBound >= end && !match.range.isEmpty {
            kept.append(match)
            end = match.range.upperBound
        }
        return kept
    }

    // MARK: - Character classes

    @inline(__always) static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
    }

    @inline(__always) static func isWord(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_")
    }

    @inline(__always) static func isBase64URL(_ byte: UInt8) -> Bool {
        isWord(byte) || byte == UInt8(ascii: "-")
    }

    @inline(__always) static func isUpperOrDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A)
    }

    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09
    }

    @inline(__always) static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0B || byte == 0x0C
    }

    // MARK: - Helpers

    private func hasPrefix(_ prefix: StaticString, at index: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        let start = prefix.utf8Start
        for offset in 0..<length where bytes[index + offset] != start[offset] { return false }
        return true
    }

    /// The end of the run of bytes satisfying `predicate` that starts at `index`.
    private func runEnd(from index: Int, limit: Int = Int.max, _ predicate: (UInt8) -> Bool) -> Int {
        var end = index
        let stop = min(bytes.count, limit == Int.max ? bytes.count : index + limit)
        while end < stop && predicate(bytes[end]) { end += 1 }
        return end
    }

    private func contains(_ needle: StaticString, in range: Range<Int>) -> Bool {
        let length = needle.utf8CodeUnitCount
        var index = range.lowerBound
        while index + length <= range.upperBound {
            if hasPrefix(needle, at: index) { return true }
            index += 1
        }
        return false
    }

    // MARK: - Prefixed tokens

    private func prefixedToken(at index: Int) -> SecretMatch? {
        switch bytes[index] {
        case UInt8(ascii: "A"): return awsKeyOrGoogleKey(at: index)
        case UInt8(ascii: "g"): return githubToken(at: index)
        case UInt8(ascii: "x"): return slackToken(at: index)
        case UInt8(ascii: "s"): return providerKey(at: index)
        case UInt8(ascii: "e"): return jsonWebToken(at: index)
        case UInt8(ascii: "h"): return slackWebhook(at: index)
        default: return nil
        }
    }

    private func awsKeyOrGoogleKey(at index: Int) -> SecretMatch? {
        if hasPrefix("AKIA", at: index) || hasPrefix("ASIA", at: index) || hasPrefix("ABIA", at: index)
            || hasPrefix("ACCA", at: index)
        {
            let end = runEnd(from: index + 4, limit: 17, Self.isUpperOrDigit)
            if end == index + 20 && (end == bytes.count || !Self.isAlphanumeric(bytes[end])) {
                return SecretMatch(range: index..<end, kind: .awsAccessKey)
            }
        } else if hasPrefix("AIza", at: index) {
            let end = runEnd(from: index + 4, limit: 36, Self.isBase64URL)
            if end == index + 39 { return SecretMatch(range: index..<end, kind: .googleAPIKey) }
        }
        return nil
    }

    private func githubToken(at index: Int) -> SecretMatch? {
        if hasPrefix("github_pat_", at: index) {
            let end = runEnd(from: index + 11, limit: 255, Self.isWord)
            if end - index - 11 >= 82 { return SecretMatch(range: index..<end, kind: .githubToken) }
            return nil
        }
        guard hasPrefix("gh", at: index), index + 4 <= bytes.count, bytes[index + 3] == UInt8(ascii: "_") else {
            return nil
        }
        switch bytes[index + 2] {
        case UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r"):
            let end = runEnd(from: index + 4, limit: 255, Self.isAlphanumeric)
            if end - index - 4 >= 36 { return SecretMatch(range: index..<end, kind: .githubToken) }
        default:
            break
        }
        return nil
    }

    private func slackToken(at index: Int) -> SecretMatch? {
        let bodyStart: Int
        if hasPrefix("xapp-", at: index) {
            bodyStart = index + 5
        } else if hasPrefix("xox", at: index), index + 5 <= bytes.count, bytes[index + 4] == UInt8(ascii: "-"),
            "baporse".utf8.contains(bytes[index + 3])
        {
            bodyStart = index + 5
        } else {
            return nil
        }
        var end = runEnd(from: bodyStart, limit: 255) { Self.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }
        while end > bodyStart && bytes[end - 1] == UInt8(ascii: "-") { end -= 1 }
        let digits = (bodyStart..<end).reduce(0) { $0 + ((0x30...0x39).contains(bytes[$1]) ? 1 : 0) }
        if end - bodyStart >= 10 && digits >= 1 { return SecretMatch(range: index..<end, kind: .slackToken) }
        return nil
    }

    private func providerKey(at index: Int) -> SecretMatch? {
        guard hasPrefix("sk-", at: index), index == 0 || bytes[index - 1] != UInt8(ascii: "-") else { return nil }
        let end = runEnd(from: index, limit: 400, Self.isBase64URL)
        let length = end - index
        if hasPrefix("sk-ant-", at: index) {
            return length >= 7 + 24 ? SecretMatch(range: index..<end, kind: .anthropicKey) : nil
        }
        if length >= 30 && contains("T3BlbkFJ", in: index..<end) {
            return SecretMatch(range: index..<end, kind: .openAIKey)
        }
        for prefix: StaticString in ["sk-proj-", "sk-svcacct-", "sk-admin-"] where hasPrefix(prefix, at: index) {
            if length - prefix.utf8CodeUnitCount >= 40 { return SecretMatch(range: index..<end, kind: .openAIKey) }
        }
        return nil
    }

    private func jsonWebToken(at index: Int) -> SecretMatch? {
        guard hasPrefix("ey", at: index) else { return nil }
        let firstEnd = runEnd(from: index, Self.isBase64URL)
        guard firstEnd - index >= 12, firstEnd < bytes.count, bytes[firstEnd] == UInt8(ascii: "."),
            hasPrefix("ey", at: firstEnd + 1)
        else { return nil }
        let secondEnd = runEnd(from: firstEnd + 1, Self.isBase64URL)
        guard secondEnd - firstEnd - 1 >= 12, secondEnd < bytes.count, bytes[secondEnd] == UInt8(ascii: ".") else {
            return nil
        }
        let end = runEnd(from: secondEnd + 1, Self.isBase64URL)
        return SecretMatch(range: index..<end, kind: .jwt)
    }

    private func slackWebhook(at index: Int) -> SecretMatch? {
        guard hasPrefix("hooks.slack.com/services/", at: index) else { return nil }
        let end = runEnd(from: index + 25, limit: 200) { Self.isBase64URL($0) || $0 == UInt8(ascii: "/") }
        return end - index - 25 >= 10 ? SecretMatch(range: index..<end, kind: .slackWebhook) : nil
    }

    // MARK: - PEM private keys

    private func privateKeyBlock(at index: Int) -> SecretMatch? {
        guard hasPrefix("-----BEGIN ", at: index), index == 0 || bytes[index - 1] != UInt8(ascii: "-") else {
            return nil
        }
        // The label runs to the closing dashes on the same line.
        var labelEnd = index + 11
        while labelEnd < bytes.count && labelEnd < index + 80 && bytes[labelEnd] != UInt8(ascii: "-")
            && bytes[labelEnd] != 0x0A
        {
            labelEnd += 1
        }
        guard hasPrefix("-----", at: labelEnd) else { return nil }
        let label = index + 11..<labelEnd
        guard contains("PRIVATE KEY", in: label) else { return nil }
        // The END line closes the block; search a bounded distance (keys are a few KB).
        var cursor = labelEnd + 5
        let searchLimit = min(bytes.count, cursor + 64 * 1024)
        while cursor < searchLimit {
            if bytes[cursor] == UInt8(ascii: "-") && hasPrefix("-----END ", at: cursor) {
                var end = cursor + 9
                while end < bytes.count && end < cursor + 90 && bytes[end] != 0x0A {
                    if hasPrefix("-----", at: end) { return SecretMatch(range: index..<end + 5, kind: .privateKey) }
                    end += 1
                }
            }
            cursor += 1
        }
        // Truncated paste: redact the header and every following line that looks like key material.
        var end = labelEnd + 5
        var lineStart = end
        while lineStart < bytes.count {
            guard bytes[lineStart] == 0x0A || lineStart == end else { break }
            let bodyStart = bytes[lineStart] == 0x0A ? lineStart + 1 : lineStart
            let lineEnd = runEnd(from: bodyStart) { $0 != 0x0A && $0 != 0x0D }
            let line = bodyStart..<lineEnd
            let isKeyMaterial = !line.isEmpty && line.allSatisfy { position in
                let byte = bytes[position]
                return Self.isAlphanumeric(byte) || "+/=:,- ".utf8.contains(byte)
            }
            if !isKeyMaterial { break }
            end = lineEnd
            lineStart = lineEnd < bytes.count && bytes[lineEnd] == 0x0D ? lineEnd + 1 : lineEnd
        }
        return SecretMatch(range: index..<end, kind: .privateKey)
    }

    // MARK: - URL credentials

    private func urlCredentials(colonAt index: Int) -> SecretMatch? {
        guard hasPrefix("://", at: index), index > 0, Self.isAlphanumeric(bytes[index - 1]) else { return nil }
        let start = index + 3
        var cursor = start
        var colon: Int?
        let limit = min(bytes.count, start + 512)
        while cursor < limit {
            let byte = bytes[cursor]
            if byte == UInt8(ascii: "@") { break }
            if Self.isWhitespace(byte) || "/?#\"'<>[]{}\\`".utf8.contains(byte) { return nil }
            if byte == UInt8(ascii: ":") && colon == nil { colon = cursor }
            cursor += 1
        }
        guard cursor < limit, let colon, cursor > colon + 1 else { return nil }
        return SecretMatch(range: start..<cursor, kind: .urlCredentials)
    }

    // MARK: - Key/value pairs and headers

    private enum KeyClass {
        case authorization, apiKeyHeader, secretWord, cookie
    }

    private static let cookieHeaders: [[UInt8]] = ["cookie", "set_cookie"].map { Array($0.utf8) }

    /// Names that end with one of these (after lower-casing and mapping `-` to `_`) hold secrets.
    private static let secretWords: [[UInt8]] = [
        "password", "passwd", "pwd", "passphrase", "secret", "token", "api_key", "apikey", "access_key",
        "accesskey", "secret_key", "secretkey", "private_key", "privatekey", "credential", "credentials",
        "auth_key",
    ].map { Array($0.utf8) }

    private static let apiKeyHeaders: [[UInt8]] = ["x_api_key", "x_auth_token", "x_access_token"].map {
        Array($0.utf8)
    }

    /// Whether the key in `key` ends with `word`, ignoring case and treating `-` as `_`.
    private func key(_ key: Range<Int>, endsWith word: [UInt8]) -> Bool {
        guard key.count >= word.count else { return false }
        var position = key.upperBound - 1
        for expected in word.reversed() {
            var byte = bytes[position]
            if byte == UInt8(ascii: "-") { byte = UInt8(ascii: "_") } else if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            if byte != expected { return false }
            position -= 1
        }
        return true
    }

    private static let authorizationWord = Array("authorization".utf8)

    private func classify(_ range: Range<Int>) -> KeyClass? {
        if key(range, endsWith: Self.authorizationWord) { return .authorization }
        for header in Self.apiKeyHeaders where header.count == range.count && key(range, endsWith: header) {
            return .apiKeyHeader
        }
        for header in Self.cookieHeaders where header.count == range.count && key(range, endsWith: header) {
            return .cookie
        }
        for word in Self.secretWords where key(range, endsWith: word) { return .secretWord }
        return nil
    }

    private func keyValueSecret(separatorAt index: Int) -> SecretMatch? {
        let count = bytes.count
        var valueStart = index + 1
        let isComma = bytes[index] == UInt8(ascii: ",")
        if isComma {
            // Only the quoted-key form, e.g. `define('DB_PASSWORD', '…')` or `["password", "…"]`.
        } else if bytes[index] == UInt8(ascii: ":") {
            if valueStart < count && (bytes[valueStart] == UInt8(ascii: ":") || bytes[valueStart] == UInt8(ascii: "/")) {
                return nil  // `::`, `://`
            }
            if valueStart < count && bytes[valueStart] == UInt8(ascii: "=") { valueStart += 1 }  // :=
        } else {
            if index > 0 && "=!<>:".utf8.contains(bytes[index - 1]) { return nil }
            if valueStart < count && bytes[valueStart] == UInt8(ascii: "=") { return nil }  // ==
            if valueStart < count && bytes[valueStart] == UInt8(ascii: ">") { valueStart += 1 }  // =>
        }
        // The key: an identifier right before the separator, optionally quoted, optionally spaced.
        var keyEnd = index
        while keyEnd > 0 && keyEnd > index - 4 && Self.isSpace(bytes[keyEnd - 1]) { keyEnd -= 1 }
        var keyQuoted = false
        if keyEnd > 0 && (bytes[keyEnd - 1] == UInt8(ascii: "\"") || bytes[keyEnd - 1] == UInt8(ascii: "'")) {
            keyEnd -= 1
            keyQuoted = true
        }
        if isComma && !keyQuoted { return nil }
        var keyStart = keyEnd
        while keyStart > 0 && keyEnd - keyStart < 64 {
            let byte = bytes[keyStart - 1]
            guard Self.isWord(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else { break }
            keyStart -= 1
        }
        // A segment of a colon- or slash-joined name (an ARN's `:secret:`, a path) is not a key.
        if keyStart > 0 && ":/\\".utf8.contains(bytes[keyStart - 1]) { return nil }
        guard keyEnd - keyStart >= 3, let keyClass = classify(keyStart..<keyEnd) else { return nil }

        // The value.
        var cursor = valueStart
        while cursor < count && Self.isSpace(bytes[cursor]) { cursor += 1 }
        var quote: UInt8?
        if cursor < count && (bytes[cursor] == UInt8(ascii: "\"") || bytes[cursor] == UInt8(ascii: "'")) {
            quote = bytes[cursor]
            cursor += 1
        }
        if isComma && (quote == nil || keyClass != .secretWord) { return nil }
        switch keyClass {
        case .cookie:
            return cookieValue(from: cursor, quote: quote)
        case .authorization:
            let schemeEnd = runEnd(from: cursor, limit: 16) { Self.isAlphanumeric($0) }
            let scheme = (cursor..<schemeEnd).map { bytes[$0] | 0x20 }
            if ["bearer", "token", "basic"].contains(where: { $0.utf8.elementsEqual(scheme) }) {
                let tokenStart = runEnd(from: schemeEnd, limit: 8, Self.isSpace)
                guard tokenStart > schemeEnd else { return nil }
                return headerToken(from: tokenStart)
            }
            return genericValue(from: cursor, quote: quote, kind: .authorizationHeader)
        case .apiKeyHeader:
            return headerToken(from: cursor)
        case .secretWord:
            return genericValue(from: cursor, quote: quote, kind: .genericSecret)
        }
    }

    /// A cookie header's value: the rest of the line (or of the quoted string), when it holds a
    /// `name=value` pair of at least 8 characters.
    private func cookieValue(from start: Int, quote: UInt8?) -> SecretMatch? {
        var end = runEnd(from: start, limit: 8192) { $0 != 0x0A && $0 != 0x0D && $0 != quote }
        while end > start && Self.isSpace(bytes[end - 1]) { end -= 1 }
        let value = start..<end
        guard value.count >= 8, contains("=", in: value), !hasPrefix("[REDACTED:", at: start) else { return nil }
        return SecretMatch(range: value, kind: .cookie)
    }

    // MARK: - Signed URLs

    private static let signatureParameters: [[UInt8]] = ["sig", "x_goog_signature", "x_amz_signature"].map {
        Array($0.utf8)
    }

    /// The value of `sig=` (Azure SAS), `X-Goog-Signature=` or `X-Amz-Signature=` in a URL query.
    private func urlSignature(equalsAt index: Int) -> SecretMatch? {
        var keyStart = index
        while keyStart > 0 && index - keyStart < 24 && (Self.isWord(bytes[keyStart - 1]) || bytes[keyStart - 1] == UInt8(ascii: "-")) {
            keyStart -= 1
        }
        guard keyStart > 0, bytes[keyStart - 1] == UInt8(ascii: "?") || bytes[keyStart - 1] == UInt8(ascii: "&") else {
            return nil
        }
        let name = keyStart..<index
        guard Self.signatureParameters.contains(where: { $0.count == name.count && key(name, endsWith: $0) }) else {
            return nil
        }
        let end = runEnd(from: index + 1, limit: 2048) { Self.isBase64URL($0) || "%+/=.~".utf8.contains($0) }
        guard end - index - 1 >= 16, !hasPrefix("[REDACTED:", at: index + 1) else { return nil }
        return SecretMatch(range: index + 1..<end, kind: .urlSignature)
    }

    // MARK: - Command lines

    /// Clients that take a password glued to `-p` (`-pS3cret`); elsewhere `-p` is a port or a path flag.
    private static let passwordFlagCommands: [StaticString] = ["mysql", "mariadb", "mysqldump", "mysqladmin", "mysqlimport"]

    /// `-pPASSWORD` on a MySQL or MariaDB client's command line.
    private func commandLinePassword(dashAt index: Int) -> SecretMatch? {
        guard index > 0, Self.isSpace(bytes[index - 1]), hasPrefix("-p", at: index), index + 2 < bytes.count else {
            return nil
        }
        let first = bytes[index + 2]
        guard !Self.isWhitespace(first), first != UInt8(ascii: "-"), first != UInt8(ascii: "$") else { return nil }
        var end = runEnd(from: index + 2, limit: 256) { !Self.isWhitespace($0) }
        // A quoted value keeps its quotes visible: `-p'S3cret'` redacts what is inside.
        var start = index + 2
        if first == UInt8(ascii: "'") || first == UInt8(ascii: "\"") {
            start += 1
            if end > start && bytes[end - 1] == first { end -= 1 }
        }
        guard end - start >= 4, !hasPrefix("[REDACTED:", at: start) else { return nil }
        // The command is in the same command, before the flag (not past `;`, `|`, `&` or a line break).
        var lineStart = index
        while lineStart > 0 && index - lineStart < 512 && !"\n;|&".utf8.contains(bytes[lineStart - 1]) { lineStart -= 1 }
        let line = lineStart..<index
        guard Self.passwordFlagCommands.contains(where: { containsIgnoringCase($0, in: line) }) else { return nil }
        return SecretMatch(range: start..<end, kind: .commandLinePassword)
    }

    private func containsIgnoringCase(_ needle: StaticString, in range: Range<Int>) -> Bool {
        let length = needle.utf8CodeUnitCount
        let pattern = needle.utf8Start
        var index = range.lowerBound
        while index + length <= range.upperBound {
            var matched = true
            for offset in 0..<length {
                var byte = bytes[index + offset]
                if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
                if byte != pattern[offset] { matched = false; break }
            }
            if matched { return true }
            index += 1
        }
        return false
    }

    // MARK: - AWS secret keys

    @inline(__always) static func isAWSSecretByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+")
    }

    /// Bare 40-character secret access keys within 300 bytes of an access key ID: mixed case,
    /// not hexadecimal (a SHA-1 or a certificate thumbprint is 40 hex digits), high entropy.
    private func awsSecretKeys(near accessKeys: [Range<Int>]) -> [SecretMatch] {
        var found: [SecretMatch] = []
        var scannedUpTo = 0
        for id in accessKeys {
            var index = max(scannedUpTo, id.lowerBound - 300)
            let stop = min(bytes.count, id.upperBound + 300)
            while index < stop {
                guard Self.isAWSSecretByte(bytes[index]), index == 0 || !Self.isAWSSecretByte(bytes[index - 1]) else {
                    index += 1
                    continue
                }
                let end = runEnd(from: index, limit: 41, Self.isAWSSecretByte)
                if end - index == 40, end == bytes.count || !Self.isAWSSecretByte(bytes[end]),
                    end >= bytes.count || bytes[end] != UInt8(ascii: "="), looksLikeAWSSecret(index..<end)
                {
                    found.append(SecretMatch(range: index..<end, kind: .awsSecretKey))
                }
                index = end
            }
            scannedUpTo = stop
        }
        return found
    }

    private func looksLikeAWSSecret(_ range: Range<Int>) -> Bool {
        var lower = false, upper = false, digitOrSymbol = false, nonHex = false
        for position in range {
            let byte = bytes[position]
            switch byte {
            case 0x61...0x7A: lower = true; if byte > 0x66 { nonHex = true }
            case 0x41...0x5A: upper = true; if byte > 0x46 { nonHex = true }
            default: digitOrSymbol = true; if byte == UInt8(ascii: "/") || byte == UInt8(ascii: "+") { nonHex = true }
            }
        }
        return lower && upper && digitOrSymbol && nonHex && Self.entropy(of: range, in: bytes) >= 4.0
    }

    /// `[\w=~@.+/-]{8,}` as in gitleaks' curl-auth rules.
    private func headerToken(from start: Int) -> SecretMatch? {
        let end = runEnd(from: start) { Self.isBase64URL($0) || "=~@.+/".utf8.contains($0) }
        return end - start >= 8 ? SecretMatch(range: start..<end, kind: .authorizationHeader) : nil
    }

    private func genericValue(from start: Int, quote: UInt8?, kind: SecretKind) -> SecretMatch? {
        let end: Int
        if let quote {
            end = runEnd(from: start, limit: 1024) { $0 != quote && $0 != 0x0A && $0 != 0x0D }
            guard end < bytes.count && bytes[end] == quote else { return nil }
        } else {
            end = runEnd(from: start, limit: 1024) { !Self.isWhitespace($0) && !"\"'`&,;<>".utf8.contains($0) }
        }
        let value = start..<end
        guard value.count >= 8, !looksLikeNonSecret(value), Self.entropy(of: value, in: bytes) >= 3.0 else {
            return nil
        }
        return SecretMatch(range: value, kind: kind)
    }

    private func looksLikeNonSecret(_ value: Range<Int>) -> Bool {
        let first = bytes[value.lowerBound]
        if "/$%{<~\\".utf8.contains(first) { return true }  // paths, variables, templates
        if hasPrefix("[REDACTED:", at: value.lowerBound) { return true }
        // Vault audit logs replace secrets by their HMAC on purpose.
        if hasPrefix("hmac-sha256:", at: value.lowerBound) { return true }
        // A Windows path such as C:\Windows or C:/Users.
        if value.count >= 3, Self.isAlphanumeric(first), bytes[value.lowerBound + 1] == UInt8(ascii: ":"),
            bytes[value.lowerBound + 2] == UInt8(ascii: "\\") || bytes[value.lowerBound + 2] == UInt8(ascii: "/")
        {
            return true
        }
        return false
    }

    // MARK: - Entropy

    /// Shannon entropy of the bytes in `range`, in bits per byte.
    static func entropy(of range: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for position in range { counts[Int(bytes[position])] += 1 }
        let total = Double(range.count)
        var bits = 0.0
        for count in counts where count > 0 {
            let probability = Double(count) / total
            bits -= probability * log2(probability)
        }
        return bits
    }

    /// Base-2 logarithm of a positive number, without Foundation: exponent plus a series for the
    /// significand (ln m = 2·atanh((m−1)/(m+1)), m in [1, 2)).
    static func log2(_ value: Double) -> Double {
        let exponent = Double(value.exponent)
        let significand = value.significand
        let z = (significand - 1) / (significand + 1)
        let zSquared = z * z
        var term = z
        var sum = 0.0
        var denominator = 1.0
        for _ in 0..<20 {
            sum += term / denominator
            term *= zSquared
            denominator += 2
        }
        return exponent + 2 * sum / 0.693_147_180_559_945_3
    }
}
