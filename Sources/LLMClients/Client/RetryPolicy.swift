#if canImport(Glibc)
import Glibc
#endif

/// When and how long to wait before sending a failed request again, as the official SDKs do it.
///
/// Connection errors, 408, 409, 429 and 5xx (Anthropic's 529 included) are retried; 400, 401, 403,
/// 404 and an exhausted quota are not, nor is a request that would fail the same way again (libcurl
/// missing, a malformed URL, a protocol other than http and https, a safety option libcurl refused,
/// TLS, an unknown host: ``TransportFailure/isRetryable``). `x-should-retry` overrides the status. A server's
/// `retry-after-ms` or `retry-after` is honoured up to ``maximumServerDelay``; a longer one is not
/// waited for at all. Otherwise the delay backs off from 0.5 s, doubling, to 8 s, less up to 25 % jitter.
public struct RetryPolicy: Sendable {
    /// How many times a request is sent again after the first attempt.
    public var maxRetries: Int
    /// The longest server-requested delay that is honoured.
    public var maximumServerDelay: Duration
    /// Waits; injected so tests run fast and can check the delays.
    public var sleep: @Sendable (Duration) async throws -> Void
    /// A number in 0...1 for jitter; injected so tests are exact.
    public var random: @Sendable () -> Double

    public init(
        maxRetries: Int = 2,
        maximumServerDelay: Duration = .seconds(60),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0...1) }
    ) {
        self.maxRetries = maxRetries
        self.maximumServerDelay = maximumServerDelay
        self.sleep = sleep
        self.random = random
    }

    /// The delay before retry number `retry` (0-based) after `error`, or `nil` if it must not be retried.
    public func delay(after error: LLMClientError, retry: Int) -> Duration? {
        guard retry < maxRetries else { return nil }
        switch error {
        case .transport(let failure):
            return failure.isRetryable ? backoff(retry) : nil
        case .provider(let failure):
            guard failure.status != nil, failure.isRetryable else { return nil }
            if let hint = failure.retryAfter, hint > .zero {
                return hint <= maximumServerDelay ? hint : nil
            }
            return backoff(retry)
        default:
            return nil
        }
    }

    /// min(0.5 s × 2^retry, 8 s) × (1 − 0.25 × random).
    public func backoff(_ retry: Int) -> Duration {
        let base = min(0.5 * Double(1 << min(retry, 10)), 8.0)
        return .milliseconds(Int((base * (1 - 0.25 * random()) * 1000).rounded()))
    }

    /// Reads `retry-after-ms`, then `retry-after` (seconds, or an HTTP date relative to `now`).
    public static func serverDelay(headers: [String: String], now: Int? = nil) -> Duration? {
        if let text = headers["retry-after-ms"], let ms = Double(text.trimmingSpaces()), ms >= 0 {
            return .milliseconds(Int(ms.rounded()))
        }
        guard let text = headers["retry-after"]?.trimmingSpaces() else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int((seconds * 1000).rounded())) }
        if let date = HTTPDate.parse(text) { return .seconds(max(0, date - (now ?? Int(time(nil))))) }
        return nil
    }

    /// The `x-should-retry` header, when present.
    public static func shouldRetry(headers: [String: String]) -> Bool? {
        switch headers["x-should-retry"]?.lowercased() {
        case "true": return true
        case "false": return false
        default: return nil
        }
    }
}

/// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`) into seconds since the epoch.
enum HTTPDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func parse(_ text: String) -> Int? {
        let words = text.split(separator: " ")
        guard words.count == 6, let day = Int(words[1]), let year = Int(words[3]),
              let month = months.firstIndex(of: words[2].lowercased()) else { return nil }
        let clock = words[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(clock[0])
        parts.tm_min = Int32(clock[1])
        parts.tm_sec = Int32(clock[2])
        return Int(timegm(&parts))
    }
}
