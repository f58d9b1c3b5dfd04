/// Where a resumed session's questions go and whether they are redacted: what the session chose,
/// unless the command line now says otherwise, in which case the analyst is told and asked (or, in
/// a piped transcript, the resume is refused).
///
/// A session journaled before the endpoint and the redaction mode were recorded has no saved
/// choice; the command line (and the configuration) decide as they always did.
public struct ResumeChoice: Sendable, Equatable {
    /// The base URL to pass to ``ProviderSettings/resolve(provider:model:baseURL:allowInsecureHTTP:environment:config:)``
    /// (nil: resolve as usual).
    public var baseURL: String?
    /// The redaction mode for the resumed session.
    public var redaction: OutboundFilter.Mode
    /// Differences between the flags and the saved session that would send the case elsewhere or
    /// redact less; each must be confirmed. Written for the analyst.
    public var conflicts: [String]
    /// Differences that are safe (redaction made stricter); said, not asked.
    public var notes: [String]

    /// Reconciles the saved session with the flags.
    /// - Parameters:
    ///   - session: The replayed session.
    ///   - provider: The provider resolved for this run (`--provider` or the session's own).
    ///   - baseURLFlag: `--base-url`, if given.
    ///   - redactionFlag: `--redact` / `--no-redact`, if given.
    public static func reconcile(
        _ session: ReplayedSession, provider: String, baseURLFlag: String?, redactionFlag: OutboundFilter.Mode?
    ) -> ResumeChoice {
        var choice = ResumeChoice(baseURL: baseURLFlag, redaction: redactionFlag ?? .automatic, conflicts: [], notes: [])
        let sameProvider = provider.lowercased() == session.provider.lowercased()
        if !sameProvider, !session.provider.isEmpty {
            choice.conflicts.append("the session used \(session.provider); --provider \(provider) sends the case to another provider")
        }
        if let saved = session.baseURL, sameProvider {
            if let flag = baseURLFlag, normalised(flag) != normalised(saved) {
                choice.conflicts.append("the session went to \(saved); --base-url sends it to \(flag)")
            } else {
                choice.baseURL = saved
            }
        }
        if let savedName = session.redaction, let saved = OutboundFilter.Mode(rawValue: savedName) {
            if let flag = redactionFlag, flag != saved {
                let stricter = flag == .on
                let line = "the session used redaction \(saved.rawValue); the flag says \(flag.rawValue)"
                if stricter { choice.notes.append(line) } else { choice.conflicts.append(line) }
            } else {
                choice.redaction = saved
            }
        }
        return choice
    }

    /// A URL compared without a trailing slash and with a lower-case scheme and host.
    static func normalised(_ url: String) -> String {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        let parts = text.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        // "scheme:", "", "host[:port]", "path…": scheme and host are case-insensitive.
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return text }
        let head = (parts[0] + "//" + parts[2]).lowercased()
        return parts.count == 4 ? head + "/" + parts[3] : head
    }
}
