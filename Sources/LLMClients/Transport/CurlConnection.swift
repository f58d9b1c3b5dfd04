internal import CCurl
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A libcurl multi handle with its one easy handle. The multi handle keeps the connection cache, so
/// consecutive transfers on the same `CurlConnection` reuse one keep-alive connection.
///
/// Confined to one thread at a time: a transfer takes it from the transport's pool, runs on its own
/// thread, and gives it back. Only ``wake()`` may be called from elsewhere (`curl_multi_wakeup` is
/// thread-safe).
final class CurlConnection: @unchecked Sendable {
    let curl: LibCurl
    let multi: UnsafeMutableRawPointer
    let easy: UnsafeMutableRawPointer
    /// libcurl's error text for the last failure (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The transfer in progress; touched only by the thread that runs it (and its callbacks).
    var transfer: CurlTransfer?

    /// Loads libcurl on first use; throws if it cannot be loaded.
    init(endpoint: String) throws {
        let curl = try LibCurl.load(endpoint: endpoint)
        guard let multi = curl.multiInit(), let easy = curl.easyInit() else {
            fatalError("libcurl could not allocate a handle (out of memory)")
        }
        self.curl = curl
        self.multi = multi
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl.easyCleanup(easy)
        _ = curl.multiCleanup(multi)
        errorBuffer.deallocate()
    }

    /// Wakes the transfer's poll so that it sees a cancellation at once.
    func wake() {
        _ = curl.multiWakeup(multi)
    }
}
