#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking HTTP/1.1 client over a raw socket, so the server is tested without libcurl.
final class RawHTTPClient {
    /// One response as read off the wire.
    struct Response {
        var status = 0
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        /// Sizes of the chunks in arrival order (chunked replies only).
        var chunkSizes: [Int] = []
        /// Seconds since the request was sent at which each chunk (or the content-length body) finished.
        var chunkTimes: [Double] = []
        /// Seconds from sending the request to the end of the head.
        var headTime = 0.0
        /// True when the body ended as framed (terminating chunk or full content-length).
        var complete = false
        var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error { let what: String }

    let fd: Int32
    private var buffer: [UInt8] = []
    private var sentAt = 0.0

    /// Connects to 127.0.0.1:`port`, with a receive timeout.
    init(port: Int, timeoutSeconds: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw Failure(what: "connect errno \(code)")
        }
    }

    deinit { close(fd) }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Sends raw bytes.
    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        sentAt = Self.now()
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(what: "send") }
            offset += sent
        }
    }

    /// Sends a request with a Content-Length body.
    func request(_ method: String = "POST", _ path: String, body: String = "", headers: [String: String] = [:]) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nhost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if method != "GET" || !body.isEmpty { head += "content-length: \(body.utf8.count)\r\n" }
        try send(head + "\r\n" + body)
        return try readResponse()
    }

    /// Reads more bytes; false on EOF, timeout or error.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        buffer += chunk[0..<count]
        return true
    }

    private func readLine() -> String? {
        while true {
            if let index = buffer.indices.dropLast().first(where: { buffer[$0] == 13 && buffer[$0 + 1] == 10 }) {
                let line = String(decoding: buffer[..<index], as: UTF8.self)
                buffer.removeFirst(index + 2)
                return line
            }
            guard fill() else { return nil }
        }
    }

    private func readBytes(_ count: Int) -> [UInt8]? {
        while buffer.count < count { guard fill() else { return nil } }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    /// Reads one response (skipping `100 Continue`).
    func readResponse() throws -> Response {
        var response = Response()
        while true {
            guard let statusLine = readLine() else { throw Failure(what: "no status line") }
            let words = statusLine.split(separator: " ")
            guard words.count >= 2, let status = Int(words[1]) else { throw Failure(what: "bad status line \(statusLine)") }
            response.status = status
            response.headers = [:]
            while let line = readLine(), !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else { continue }
                response.headers[line[..<colon].lowercased()] = String(line[line.index(after: colon)...]).trimmingCharacters(" ")
            }
            if status != 100 { break }
        }
        response.headTime = Self.now() - sentAt
        if response.headers["transfer-encoding"]?.contains("chunked") == true {
            while let sizeLine = readLine(), let size = Int(sizeLine, radix: 16) {
                if size == 0 {
                    _ = readLine()
                    response.complete = true
                    break
                }
                guard let data = readBytes(size) else {
                    response.body += buffer
                    buffer = []
                    break
                }
                response.body += data
                response.chunkSizes.append(size)
                response.chunkTimes.append(Self.now() - sentAt)
                guard readLine() == "" else { break }
            }
        } else if let length = response.headers["content-length"].flatMap({ Int($0) }) {
            if let data = readBytes(length) {
                response.body = data
                response.complete = true
                response.chunkTimes = [Self.now() - sentAt]
            } else {
                response.body = buffer
                buffer = []
            }
        }
        return response
    }

    /// True when the server has closed the connection (reads EOF or reset within the timeout).
    func isClosedByPeer() -> Bool {
        buffer.isEmpty && !fill()
    }
}

extension String {
    func trimmingCharacters(_ character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text = text.dropFirst() }
        while text.last == character { text = text.dropLast() }
        return String(text)
    }
}
