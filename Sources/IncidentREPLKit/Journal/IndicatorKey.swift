public import ConversationCore

/// The canonical spellings under which an indicator is indexed and searched, so that
/// `203.0.113[.]45`, `HXXPS://EVIL[.]EXAMPLE/x` and `2001:DB8:0:0:0:0:0:1` find what was
/// journaled as `203.0.113.45`, `https://evil.example/x` and `2001:db8::1`.
///
/// Built on ``IndicatorExtractor`` (which refangs and classifies); this adds what search needs
/// on top: IPv6 in its RFC 5952 form, URLs with scheme and host lower-cased, and the host of a
/// URL or the domain of an e-mail address as keys of their own (a search for a domain finds the
/// URLs on it).
public enum IndicatorKey {
    /// Keys for one indicator: its own first, then the host or domain it contains.
    public static func keys(for indicator: Indicator) -> [String] {
        switch indicator.kind {
        case .ipv4: return ["ip:" + indicator.value]
        case .ipv6: return ["ip:" + (canonicalIPv6(indicator.value) ?? indicator.value.lowercased())]
        case .domain: return ["domain:" + domain(indicator.value)]
        case .email:
            let value = indicator.value.lowercased()
            guard let at = value.lastIndex(of: "@") else { return ["email:" + value] }
            return ["email:" + value, "domain:" + domain(String(value[value.index(after: at)...]))]
        case .url:
            let (url, host) = canonicalURL(indicator.value)
            guard let host else { return ["url:" + url] }
            return ["url:" + url, hostKey(host)]
        default:
            return [indicator.key]
        }
    }

    /// The indicators of `text` (defanged spellings included) with their keys.
    public static func indicators(in text: String) -> [(indicator: Indicator, keys: [String])] {
        IndicatorExtractor.indicators(in: refanged(text)).map { ($0, keys(for: $0)) }
    }

    /// Undoes the common defanging spellings. The extractor undoes `[.]`, `(.)`, `[:]`, `[@]` and
    /// `hxxp`; this adds `[dot]`, `(dot)`, `{.}`, `[at]`, `hxxps`/`hXXp` in any case, `fxp`, and
    /// `[://]`, as analysts also write them.
    public static func refanged(_ text: String) -> String {
        guard text.contains(where: { $0 == "[" || $0 == "(" || $0 == "{" || $0 == "x" || $0 == "X" }) else { return text }
        var result = text
        for (defanged, plain) in [
            ("[.]", "."), ("(.)", "."), ("{.}", "."), ("[dot]", "."), ("(dot)", "."), ("[DOT]", "."),
            ("[:]", ":"), ("[://]", "://"), ("[@]", "@"), ("[at]", "@"), ("(at)", "@"),
        ] where result.contains(defanged) {
            result = result.replacing(defanged, with: plain)
        }
        if result.contains(where: { $0 == "x" || $0 == "X" }) {
            var plain = ""
            var index = result.startIndex
            while index < result.endIndex {
                let ahead = result[index...].prefix(8).lowercased()
                if let (spelling, replacement) = [("hxxps://", "https://"), ("hxxp://", "http://"), ("fxp://", "ftp://")]
                    .first(where: { ahead.hasPrefix($0.0) })
                {
                    plain += replacement
                    index = result.index(index, offsetBy: spelling.count)
                } else {
                    plain.append(result[index])
                    index = result.index(after: index)
                }
            }
            result = plain
        }
        return result
    }

    /// `2001:DB8:0:0::1` → `2001:db8::1` (RFC 5952: lower case, no leading zeros, the longest run
    /// of two or more zero groups as `::`); an embedded IPv4 tail is kept as dotted quad. Nil when
    /// the text is not an IPv6 address.
    public static func canonicalIPv6(_ text: String) -> String? {
        var address = text.lowercased()
        if let zone = address.firstIndex(of: "%") { address = String(address[..<zone]) }
        var ipv4Tail: String?
        if let lastColon = address.lastIndex(of: ":"), address[address.index(after: lastColon)...].contains(".") {
            let tail = String(address[address.index(after: lastColon)...])
            let octets = tail.split(separator: ".", omittingEmptySubsequences: false)
            guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return nil }
            ipv4Tail = tail
            address = String(address[...lastColon]) + "0:0"
        }
        let halves = address.split(separator: "::", omittingEmptySubsequences: false).map(String.init)
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var values: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                values.append(value)
            }
            return values
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count <= 7 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        let shownGroups = ipv4Tail == nil ? all : Array(all[0..<6])
        // The longest run of zeros (at least two groups, first one on a tie).
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...shownGroups.count {
            if index < shownGroups.count, shownGroups[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { (bestStart, bestLength) = (runStart, index - runStart) }
                runStart = -1
            }
        }
        let hex = shownGroups.map { String($0, radix: 16) }
        var text: String
        if bestLength >= 2, bestStart < hex.count {
            let end = min(bestStart + bestLength, hex.count)
            text = hex[..<bestStart].joined(separator: ":") + "::" + hex[end...].joined(separator: ":")
        } else {
            text = hex.joined(separator: ":")
        }
        if let ipv4Tail { text += (text.hasSuffix(":") ? "" : ":") + ipv4Tail }
        return text
    }

    /// The URL with scheme and host lower-cased (the path keeps its case), and its host.
    static func canonicalURL(_ url: String) -> (url: String, host: String?) {
        guard let schemeEnd = url.firstRange(of: "://") else { return (url, nil) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[..<authorityEnd].lowercased()
        var host = Substring(authority)
        if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = host[host.index(after: host.startIndex)..<close]
        } else if let colon = host.lastIndex(of: ":"), host[host.index(after: colon)...].allSatisfy(\.isNumber) {
            host = host[..<colon]
        }
        var path = String(rest[authorityEnd...])
        if path == "/" { path = "" }
        return (scheme + "://" + authority + path, host.isEmpty ? nil : String(host))
    }

    private static func hostKey(_ host: String) -> String {
        if let ipv6 = canonicalIPv6(host), host.contains(":") { return "ip:" + ipv6 }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return "ip:" + host }
        return "domain:" + domain(host)
    }

    private static func domain(_ text: String) -> String {
        let lowered = text.lowercased()
        return lowered.hasSuffix(".") ? String(lowered.dropLast()) : lowered
    }
}
