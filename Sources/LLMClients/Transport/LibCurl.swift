internal import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// libcurl, loaded with `dlopen` on the first transfer instead of linked.
///
/// Linking libcurl makes every start-up load it and the ~30 libraries it depends on (TLS, Kerberos,
/// LDAP, SSH, IDN…), which alone costs more than the rest of our start-up; `--version`, `--help` and
/// the first prompt need none of it. The functions are looked up once with `dlsym` and called through
/// typed C function pointers; the variadic ones go through the forwarders in the CCurl shim.
final class LibCurl: @unchecked Sendable {  // immutable after init: function addresses only
    typealias Easy = UnsafeMutableRawPointer
    typealias Multi = UnsafeMutableRawPointer
    typealias StringList = UnsafeMutablePointer<curl_slist>

    /// The library, loaded and initialised (`curl_global_init`) on first use, or why it could not be.
    static let shared: Result<LibCurl, LLMClientError> = Result { () throws(LLMClientError) in try LibCurl() }

    /// The loaded library; throws a transport failure an analyst can act on if libcurl is missing.
    static func load(endpoint: String) throws -> LibCurl {
        switch shared {
        case .success(let curl):
            return curl
        case .failure(.transport(var failure)):
            failure.endpoint = endpoint
            throw LLMClientError.transport(failure)
        case .failure(let error):
            throw error
        }
    }

    let easyInit: @convention(c) () -> Easy?
    let easyCleanup: @convention(c) (Easy?) -> Void
    let easyReset: @convention(c) (Easy?) -> Void
    let easyError: @convention(c) (CURLcode) -> UnsafePointer<CChar>?
    let multiInit: @convention(c) () -> Multi?
    let multiCleanup: @convention(c) (Multi?) -> CURLMcode
    let multiAdd: @convention(c) (Multi?, Easy?) -> CURLMcode
    let multiRemove: @convention(c) (Multi?, Easy?) -> CURLMcode
    let multiPerform: @convention(c) (Multi?, UnsafeMutablePointer<Int32>?) -> CURLMcode
    let multiPoll: @convention(c) (Multi?, UnsafeMutablePointer<curl_waitfd>?, UInt32, Int32, UnsafeMutablePointer<Int32>?) -> CURLMcode
    let multiInfoRead: @convention(c) (Multi?, UnsafeMutablePointer<Int32>?) -> UnsafeMutablePointer<CURLMsg>?
    let multiWakeup: @convention(c) (Multi?) -> CURLMcode
    let listAppend: @convention(c) (StringList?, UnsafePointer<CChar>?) -> StringList?
    let listFree: @convention(c) (StringList?) -> Void
    private let setopt: UnsafeMutableRawPointer
    private let getinfo: UnsafeMutableRawPointer

    private init() throws(LLMClientError) {
        // The SONAME first (what the runtime package installs), then the development symlink.
        guard let library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL) ?? dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            throw .transport(TransportFailure(
                kind: .libraryUnavailable, endpoint: "", detail: "libcurl could not be loaded (\(reason))",
                hint: "install it with `apt-get install libcurl4` (scripts/setup.sh does)"
            ))
        }
        func symbol<Function>(_ name: String, as type: Function.Type) throws(LLMClientError) -> Function {
            guard let address = dlsym(library, name) else {
                throw .transport(TransportFailure(
                    kind: .libraryUnavailable, endpoint: "", detail: "libcurl has no \(name) (version 7.68 or later is needed)",
                    hint: "upgrade libcurl4"
                ))
            }
            return unsafeBitCast(address, to: type)
        }
        easyInit = try symbol("curl_easy_init", as: (@convention(c) () -> Easy?).self)
        easyCleanup = try symbol("curl_easy_cleanup", as: (@convention(c) (Easy?) -> Void).self)
        easyReset = try symbol("curl_easy_reset", as: (@convention(c) (Easy?) -> Void).self)
        easyError = try symbol("curl_easy_strerror", as: (@convention(c) (CURLcode) -> UnsafePointer<CChar>?).self)
        multiInit = try symbol("curl_multi_init", as: (@convention(c) () -> Multi?).self)
        multiCleanup = try symbol("curl_multi_cleanup", as: (@convention(c) (Multi?) -> CURLMcode).self)
        multiAdd = try symbol("curl_multi_add_handle", as: (@convention(c) (Multi?, Easy?) -> CURLMcode).self)
        multiRemove = try symbol("curl_multi_remove_handle", as: (@convention(c) (Multi?, Easy?) -> CURLMcode).self)
        multiPerform = try symbol(
            "curl_multi_perform", as: (@convention(c) (Multi?, UnsafeMutablePointer<Int32>?) -> CURLMcode).self
        )
        multiPoll = try symbol("curl_multi_poll", as: (@convention(c) (
            Multi?, UnsafeMutablePointer<curl_waitfd>?, UInt32, Int32, UnsafeMutablePointer<Int32>?
        ) -> CURLMcode).self)
        multiInfoRead = try symbol("curl_multi_info_read", as: (@convention(c) (
            Multi?, UnsafeMutablePointer<Int32>?
        ) -> UnsafeMutablePointer<CURLMsg>?).self)
        multiWakeup = try symbol("curl_multi_wakeup", as: (@convention(c) (Multi?) -> CURLMcode).self)
        listAppend = try symbol(
            "curl_slist_append", as: (@convention(c) (StringList?, UnsafePointer<CChar>?) -> StringList?).self
        )
        listFree = try symbol("curl_slist_free_all", as: (@convention(c) (StringList?) -> Void).self)
        setopt = try symbol("curl_easy_setopt", as: UnsafeMutableRawPointer.self)
        getinfo = try symbol("curl_easy_getinfo", as: UnsafeMutableRawPointer.self)
        let globalInit = try symbol("curl_global_init", as: (@convention(c) (Int) -> CURLcode).self)
        // Once, before any handle exists; `shared` is initialised exactly once.
        let status = globalInit(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32))
        guard status == CURLE_OK else {
            throw .transport(TransportFailure(
                kind: .libraryUnavailable, endpoint: "", detail: "curl_global_init failed (code \(status.rawValue))"
            ))
        }
    }

    /// Sets a numeric option.
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, _ value: Int) -> CURLcode {
        ccurl_setopt_long(setopt, easy, option, value)
    }

    /// Sets a string option (libcurl copies strings).
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, _ value: String) -> CURLcode {
        ccurl_setopt_string(setopt, easy, option, value)
    }

    /// Sets a pointer option.
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, pointer value: UnsafeMutableRawPointer?) -> CURLcode {
        ccurl_setopt_pointer(setopt, easy, option, value)
    }

    /// Sets a `curl_off_t` option (sizes).
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, size value: Int) -> CURLcode {
        ccurl_setopt_off_t(setopt, easy, option, curl_off_t(value))
    }

    /// Sets a header list option.
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, list value: StringList?) -> CURLcode {
        ccurl_setopt_slist(setopt, easy, option, value)
    }

    /// Sets a data callback (CURLOPT_WRITEFUNCTION, CURLOPT_HEADERFUNCTION).
    @discardableResult
    func set(_ easy: Easy, _ option: CURLoption, callback value: ccurl_data_callback?) -> CURLcode {
        ccurl_setopt_data_callback(setopt, easy, option, value)
    }

    /// Reads a numeric transfer property.
    func info(_ easy: Easy, _ info: CURLINFO) -> Int {
        var value = 0
        _ = ccurl_getinfo_long(getinfo, easy, info, &value)
        return value
    }
}
