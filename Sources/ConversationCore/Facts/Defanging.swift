/// Defanging and refanging of indicators: `203.0.113[.]45`, `hxxps://evil[.]example`.
///
/// Shown defanged wherever the analyst may click or copy, an indicator cannot become a live link
/// by accident; read back refanged, a defanged report pasted in is recognised. Every defanged form
/// ``defanged(_:)`` writes is undone by ``refanged(_:)``.
public enum Defanging {
    /// The indicator as it is shown: IPv4 addresses, CIDR ranges, domains and e-mail addresses with
    /// the last dot bracketed (and `[@]`), URLs with `hxxp`/`fxp` and the host's last dot
    /// bracketed, IPv6 with its first colon bracketed. Hashes, CVE and ATT&CK IDs, paths, hosts
    /// and users are unchanged.
    public static func defanged(_ indicator: Indicator) -> String {
        let value = indicator.value
        switch indicator.kind {
        case .ipv4, .domain:
            return bracketingLastDot(value)
        case .cidr:
            guard let slash = value.firstIndex(of: "/") else { return bracketingLastDot(value) }
            return bracketingLastDot(String(value[..<slash])) + value[slash...]
        case .ipv6:
            guard let colon = value.firstIndex(of: ":") else { return value }
            return value[..<colon] + "[:]" + value[value.index(after: colon)...]
        case .email:
            guard let at = value.lastIndex(of: "@") else { return value }
            return value[..<at] + "[@]" + bracketingLastDot(String(value[value.index(after: at)...]))
        case .url:
            return defangedURL(value)
        case .md5, .sha1, .sha256, .cve, .attackTechnique, .filePath, .host, .user:
            return value
        }
    }

    /// A URL with its scheme defanged (`hxxp`, `hxxps`, `fxp`, `sfxp`) and the last dot of its
    /// host bracketed.
    static func defangedURL(_ url: String) -> String {
        guard let separator = url.firstRange(of: "://") else { return url }
        let scheme = url[..<separator.lowerBound].lowercased()
        let safeScheme: String
        switch scheme {
        case "http": safeScheme = "hxxp"
        case "https": safeScheme = "hxxps"
        case "ftp": safeScheme = "fxp"
        case "sftp": safeScheme = "sfxp"
        default: safeScheme = scheme
        }
        let rest = url[separator.upperBound...]
        let hostEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = String(rest[..<hostEnd])
        // user:pass@host:port: only the host's dots.
        let hostStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        var host = String(authority[hostStart...])
        var port = ""
        if !host.hasPrefix("["), let colon = host.lastIndex(of: ":") {
            port = String(host[colon...])
            host = String(host[..<colon])
        }
        authority = authority[..<hostStart] + bracketingLastDot(host) + port
        return safeScheme + "://" + authority + rest[hostEnd...]
    }

    /// `value` with its last `.` written `[.]`.
    static func bracketingLastDot(_ value: String) -> String {
        guard let dot = value.lastIndex(of: ".") else { return value }
        return value[..<dot] + "[.]" + value[value.index(after: dot)...]
    }

    /// The replacements ``refanged(_:)`` makes, in order.
    static let refangings: [(defanged: String, fanged: String)] = [
        ("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("{dot}", "."),
        ("[://]", "://"), ("[:]", ":"), ("[@]", "@"), ("[at]", "@"), ("(at)", "@"),
        ("hxxp", "http"), ("hXXp", "http"), ("HXXP", "HTTP"), ("fxp://", "ftp://"),
    ]

    /// `text` with defanged spellings undone: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `[://]`,
    /// `[:]`, `[@]`, `[at]`, `(at)`, `hxxp`/`hXXp`, `fxp://`.
    public static func refanged(_ text: String) -> String {
        // Each replacement runs only when its pattern's bytes occur: without them it cannot match.
        var result = text
        for (defanged, fanged) in refangings where IndicatorExtractor.containsBytes(result, defanged) {
            result = result.replacing(defanged, with: fanged)
        }
        return result
    }
}
