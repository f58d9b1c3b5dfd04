/// Everything that can go wrong talking to a model, with messages an analyst can act on.
public enum LLMClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider needs an API key and the environment variable that holds it is unset.
    case missingAPIKey(provider: Provider, variable: String)
    /// A plain `http://` URL to a host that is not loopback, without the analyst allowing it.
    case insecureEndpoint(url: String)
    /// A URL that cannot be used.
    case invalidEndpoint(url: String, reason: String)
    /// The request never got an HTTP answer: refused, unresolvable, TLS, timed out, stalled.
    case transport(TransportFailure)
    /// The provider answered with an error, as a non-2xx status or as an error event inside the stream.
    case provider(ProviderFailure)
    /// The stream broke the protocol or ended before the answer was complete.
    case malformedStream(provider: Provider, detail: String)
    /// The caller cancelled the call.
    case cancelled

    public var description: String {
        switch self {
        case .missingAPIKey(let provider, let variable):
            return "no API key for \(provider): set \(variable) (or choose another provider with --provider)"
        case .insecureEndpoint(let url):
            return "refusing plain http:// to a host that is not loopback (\(url)): use https://, or pass --allow-insecure-http"
        case .invalidEndpoint(let url, let reason):
            return "cannot use endpoint \(url): \(reason)"
        case .transport(let failure):
            return failure.description
        case .provider(let failure):
            return failure.description
        case .malformedStream(let provider, let detail):
            return "\(provider) sent a stream this client cannot read: \(detail)"
        case .cancelled:
            return "cancelled"
        }
    }

    /// Whether the provider said the prompt does not fit the model's context window.
    public var isContextOverflow: Bool {
        if case .provider(let failure) = self { return failure.isContextOverflow }
        return false
    }
}

/// A request that got no HTTP answer.
public struct TransportFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        case connectionRefused
        case hostNotFound
        case tls
        case connectTimeout
        /// No byte arrived for the stall timeout.
        case stalled
        /// The connection broke while the answer was arriving.
        case connectionLost
        /// libcurl is missing, too old, or failed to initialise: nothing can be sent.
        case libraryUnavailable
        /// The URL cannot be parsed.
        case invalidURL
        /// A scheme other than http and https.
        case unsupportedProtocol
        /// A safety option (protocol restriction, TLS verification, CA bundle) could not be set, so
        /// the request was not sent.
        case unsafeConfiguration
        case other
    }

    public var kind: Kind
    /// The endpoint that failed (scheme, host and port, no path or query).
    public var endpoint: String
    /// libcurl's own words.
    public var detail: String
    /// A hint for the analyst, such as "start it with `ollama serve`".
    public var hint: String?

    public init(kind: Kind, endpoint: String, detail: String, hint: String? = nil) {
        self.kind = kind
        self.endpoint = endpoint
        self.detail = detail
        self.hint = hint
    }

    public var description: String {
        let what: String
        switch kind {
        case .connectionRefused: what = "connection refused by \(endpoint)"
        case .hostNotFound: what = "cannot resolve the host of \(endpoint)"
        case .tls: what = "TLS failure talking to \(endpoint) (certificates are always verified; --ca-bundle FILE adds a corporate CA)"
        case .connectTimeout: what = "timed out connecting to \(endpoint)"
        case .stalled: what = "no data from \(endpoint) within the stall timeout"
        case .connectionLost: what = "connection to \(endpoint) lost mid-answer"
        case .libraryUnavailable: what = "cannot send requests"
        case .invalidURL: what = "the URL of \(endpoint) is malformed"
        case .unsupportedProtocol: what = "only http:// and https:// endpoints are allowed (\(endpoint))"
        case .unsafeConfiguration: what = "refusing to send to \(endpoint)"
        case .other: what = "request to \(endpoint) failed"
        }
        var text = "\(what): \(detail)"
        if let hint { text += "; \(hint)" }
        return text
    }

    /// Connection-level failures are retried as the official SDKs retry them; a failure that the
    /// same request would meet again (no libcurl, a malformed URL, a refused protocol or safety
    /// option, TLS, an unknown host) is not.
    public var isRetryable: Bool {
        switch kind {
        case .connectionRefused, .connectTimeout, .connectionLost, .other: return true
        case .hostNotFound, .tls, .stalled, .libraryUnavailable, .invalidURL, .unsupportedProtocol, .unsafeConfiguration:
            return false
        }
    }
}

/// An error the provider itself reported.
public struct ProviderFailure: Sendable, Equatable, CustomStringConvertible {
    public var provider: Provider
    /// The HTTP status, or `nil` for an error event inside a 200 stream.
    public var status: Int?
    /// The provider's own error type or code (`rate_limit_error`, `context_length_exceeded`, `RESOURCE_EXHAUSTED`).
    public var type: String?
    /// The provider's message.
    public var message: String
    /// How long the provider asked us to wait (`retry-after-ms`, `retry-after`).
    public var retryAfter: Duration?
    /// The provider's `x-should-retry` header, when present.
    public var shouldRetry: Bool?
    /// The environment variable holding the key, named in authentication errors.
    public var keyVariable: String?
    /// The model the request named, for "model not found".
    public var model: String?

    public init(
        provider: Provider, status: Int?, type: String?, message: String,
        retryAfter: Duration? = nil, shouldRetry: Bool? = nil, keyVariable: String? = nil, model: String? = nil
    ) {
        self.provider = provider
        self.status = status
        self.type = type
        self.message = message
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
        self.keyVariable = keyVariable
        self.model = model
    }

    /// The prompt did not fit the context window, in any provider's words.
    public var isContextOverflow: Bool {
        let text = message.lowercased()
        let kind = (type ?? "").lowercased()
        return kind == "context_length_exceeded" || kind == "exceed_context_size_error"
            || text.contains("prompt is too long") || text.contains("maximum context length")
            || text.contains("exceeds the available context size")
            || (text.contains("input token count") && text.contains("exceeds the maximum"))
            || text.contains("context length exceeded") || text.contains("context_length_exceeded")
    }

    /// The prompt size and the limit an overflow error states, when it states both
    /// (`request (13392 tokens) exceeds the available context size (8192 tokens)`,
    /// `prompt is too long: 208310 tokens > 200000 maximum`).
    public var overflowCounts: (prompt: Int, limit: Int)? {
        guard isContextOverflow else { return nil }
        var numbers: [Int] = []
        var digits = ""
        for character in message + " " {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if !digits.isEmpty {
                if let number = Int(digits), number >= 100 { numbers.append(number) }
                digits = ""
            }
        }
        guard numbers.count >= 2 else { return nil }
        let pair = numbers.prefix(2)
        return (prompt: pair.max()!, limit: pair.min()!)
    }

    /// A 429 that will not clear by waiting (exhausted quota or spend limit).
    public var isQuotaExhausted: Bool {
        let kind = (type ?? "").lowercased()
        let text = message.lowercased()
        return kind == "insufficient_quota" || text.contains("insufficient_quota")
            || text.contains("enforced_spend_limit") || text.contains("exceeded your current quota")
            || text.contains("usage limit") || text.contains("credit balance")
    }

    /// The status classes the official SDKs retry: 408, 409, 429 and 5xx (Anthropic's 529 included),
    /// unless `x-should-retry` says otherwise or the quota is gone.
    public var isRetryable: Bool {
        if let shouldRetry { return shouldRetry }
        guard let status else { return false }
        if status == 429 { return !isQuotaExhausted }
        return status == 408 || status == 409 || status >= 500
    }

    /// A short reason for a retry line: "rate limited", "overloaded", "server error 500".
    public var retryReason: String {
        switch status {
        case 429: return "rate limited"
        case 529, 503: return "overloaded"
        case 408: return "request timeout"
        case 409: return "conflict"
        case let status?: return "server error \(status)"
        case nil: return type ?? "error"
        }
    }

    public var description: String {
        var head = "\(provider)"
        if let status { head += " answered \(status)" } else { head += " reported an error mid-answer" }
        if let type { head += " (\(type))" }
        var text = "\(head): \(message)"
        switch status {
        case 401:
            text += keyVariable.map { "; check \($0)" } ?? "; check the API key"
        case 403:
            text += "; the key lacks permission for this model or region"
        case 404:
            if let model {
                text += provider == .ollama
                    ? "; model '\(model)' is not pulled: run `ollama pull \(model)`"
                    : "; check the model name '\(model)' (--model)"
            }
        case 429 where isQuotaExhausted:
            text += "; the account's quota is exhausted, retrying will not help"
        default:
            break
        }
        if isContextOverflow { text += "; the conversation no longer fits the model's context window" }
        return text
    }
}
