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
    let multi: UnsafeMutableRawPointer
    let easy: UnsafeMutableRawPointer
    /// libcurl's error text for the last failure (CURLOPT_ERRORBUFFER).
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// The transfer in progress; touched only by the thread that runs it (and its callbacks).
    var transfer: CurlTransfer?

    init() {
        _ = curlGlobalInit
        guard let multi = curl_multi_init(), let easy = curl_easy_init() else {
            fatalError("libcurl could not allocate a handle (out of memory)")
        }
        self.multi = multi
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_multi_cleanup(multi)
        errorBuffer.deallocate()
    }

    /// Wakes the transfer's poll so that it sees a cancellation at once.
    func wake() {
        curl_multi_wakeup(multi)
    }
}

/// `curl_global_init`, exactly once, before the first handle.
private let curlGlobalInit: Void = {
    curl_global_init(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32))
}()
