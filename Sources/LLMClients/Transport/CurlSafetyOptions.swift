internal import CCurl

/// The libcurl options a request must not be sent without, set with their results checked.
///
/// `curl_easy_setopt` reports an option it does not know, or a value it refuses, only through its
/// return code: `CURLOPT_PROTOCOLS_STR` is unknown before libcurl 7.85, so on 7.68–7.84 an unchecked
/// call leaves every protocol libcurl was built with (file, ftp, smb, …) open to a crafted base URL.
/// Here the URL, the protocol restriction (`CURLOPT_PROTOCOLS_STR`, else the older bitmask
/// `CURLOPT_PROTOCOLS`), certificate and host verification and the CA bundle are each checked, and
/// a request whose safety cannot be set up fails before it is sent, with the reason, and is not
/// retried.
enum CurlSafetyOptions {
    /// One safety-relevant `curl_easy_setopt` call.
    enum Option: Hashable, Sendable {
        case url(String)
        /// `CURLOPT_PROTOCOLS_STR` (libcurl 7.85+).
        case protocolNames(String)
        /// `CURLOPT_PROTOCOLS`, the bitmask the names replaced (deprecated, still honoured).
        case protocolMask(Int)
        /// `CURLOPT_SSL_VERIFYPEER` = 1.
        case verifyPeer
        /// `CURLOPT_SSL_VERIFYHOST` = 2.
        case verifyHost
        /// `CURLOPT_CAINFO`.
        case caBundle(String)

        /// The option's name, for messages.
        var name: String {
            switch self {
            case .url: "CURLOPT_URL"
            case .protocolNames: "CURLOPT_PROTOCOLS_STR"
            case .protocolMask: "CURLOPT_PROTOCOLS"
            case .verifyPeer: "CURLOPT_SSL_VERIFYPEER"
            case .verifyHost: "CURLOPT_SSL_VERIFYHOST"
            case .caBundle: "CURLOPT_CAINFO"
            }
        }
    }

    /// `CURLE_OK`.
    static let ok = Int(CURLE_OK.rawValue)
    /// `CURLE_UNKNOWN_OPTION`: what an older libcurl answers for an option it does not have.
    static let unknownOption = Int(CURLE_UNKNOWN_OPTION.rawValue)
    /// `CURLE_NOT_BUILT_IN`.
    static let notBuiltIn = Int(CURLE_NOT_BUILT_IN.rawValue)
    /// `CURLPROTO_HTTP | CURLPROTO_HTTPS`.
    static let httpAndHTTPS = Int(CURLPROTO_HTTP) | Int(CURLPROTO_HTTPS)

    /// Sets every safety option through `set`; returns why the request must not be sent, or nil.
    /// - Parameters:
    ///   - url: The request's URL.
    ///   - caBundle: An extra CA bundle, if the analyst gave one.
    ///   - endpoint: Scheme, host and port, for the message.
    ///   - set: Performs one `curl_easy_setopt`; returns its `CURLcode`.
    ///   - describe: libcurl's words for a `CURLcode` (`curl_easy_strerror`).
    static func apply(
        url: String, caBundle: String?, endpoint: String,
        set: (Option) -> Int, describe: (Int) -> String
    ) -> LLMClientError? {
        func refused(_ option: Option, _ code: Int) -> String {
            "libcurl refused \(option.name) (\(describe(code)))"
        }
        let urlCode = set(.url(url))
        if urlCode != ok {
            return .transport(TransportFailure(
                kind: .invalidURL, endpoint: endpoint, detail: refused(.url(url), urlCode),
                hint: "check --base-url (or the provider's base URL in the config file)"
            ))
        }

        let namesCode = set(.protocolNames("http,https"))
        if namesCode != ok {
            let maskCode = set(.protocolMask(httpAndHTTPS))
            if maskCode != ok {
                return .transport(TransportFailure(
                    kind: .unsafeConfiguration, endpoint: endpoint,
                    detail: "cannot restrict the request to http and https: "
                        + "\(refused(.protocolNames(""), namesCode)), \(refused(.protocolMask(0), maskCode))",
                    hint: "not sent; upgrade libcurl (7.85 or later)"
                ))
            }
        }

        for option in [Option.verifyPeer, .verifyHost] {
            let code = set(option)
            if code != ok {
                return .transport(TransportFailure(
                    kind: .unsafeConfiguration, endpoint: endpoint,
                    detail: "cannot turn on TLS certificate verification: \(refused(option, code))",
                    hint: "not sent; install a libcurl built with TLS (libcurl4)"
                ))
            }
        }

        if let caBundle {
            let code = set(.caBundle(caBundle))
            if code != ok {
                return .transport(TransportFailure(
                    kind: .unsafeConfiguration, endpoint: endpoint,
                    detail: "cannot use the CA bundle \(caBundle): \(refused(.caBundle(caBundle), code))",
                    hint: "not sent; check --ca-bundle"
                ))
            }
        }
        return nil
    }
}
