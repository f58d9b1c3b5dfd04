#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads successive HTTP/1.1 requests from one connected socket (keep-alive aware).
struct RequestReader {
    /// Why no request could be read.
    enum Failure: Error {
        /// The peer closed (or the socket failed) between requests.
        case closed
        /// The bytes were not a well-formed request; the server answers 400 and closes.
        case malformed(String)
    }

    /// A parsed request head plus body.
    struct Parsed {
        var method: String
        var target: String
        var version: String
        var headers: [String: String]
        var body: [UInt8]
    }

    private let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    /// Largest accepted request head.
    private let maximumHeadSize = 1 << 20

    init(fd: Int32) { self.fd = fd }

    /// Reads more bytes into the buffer; false on EOF or error.
    private mutating func fill() -> Bool {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 1 << 20 {
            buffer.removeFirst(start)
            start = 0
        }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count < 0, errno == EINTR { continue }
            return false
        }
    }

    /// Index just past the next CRLF from `from`, or nil when not buffered yet.
    private func lineEnd(from: Int) -> Int? {
        var index = from
        while index + 1 < buffer.count {
            if buffer[index] == 0x0D, buffer[index + 1] == 0x0A { return index + 2 }
            index += 1
        }
        return nil
    }

    /// Reads one line (without CRLF).
    private mutating func readLine() throws(Failure) -> [UInt8] {
        while true {
            if let end = lineEnd(from: start) {
                let line = Array(buffer[start..<(end - 2)])
                start = end
                return line
            }
            if buffer.count - start > maximumHeadSize { throw .malformed("line too long") }
            guard fill() else { throw .closed }
        }
    }

    /// Reads exactly `count` bytes.
    private mutating func readBytes(_ count: Int) throws(Failure) -> [UInt8] {
        while buffer.count - start < count {
            guard fill() else { throw .closed }
        }
        let bytes = Array(buffer[start..<(start + count)])
        start += count
        return bytes
    }

    /// Reads the next request. `sendContinue` is called when the client asked for `100-continue`.
    mutating func next(sendContinue: () -> Void) throws(Failure) -> Parsed {
        // Skip stray empty lines between requests (allowed by RFC 9112).
        var requestLine = try readLine()
        while requestLine.isEmpty { requestLine = try readLine() }
        let words = String(decoding: requestLine, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: true)
        guard words.count == 3, words[2].hasPrefix("HTTP/1.") else {
            throw .malformed("bad request line")
        }
        var headers: [String: String] = [:]
        var headSize = requestLine.count
        while true {
            let line = try readLine()
            if line.isEmpty { break }
            headSize += line.count
            if headSize > maximumHeadSize { throw .malformed("head too large") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformed("bad header line") }
            let name = String(decoding: line[..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            if let existing = headers[name] {
                headers[name] = existing + ", " + value
            } else {
                headers[name] = value
            }
        }
        if headers["expect"]?.lowercased() == "100-continue" { sendContinue() }
        var body: [UInt8] = []
        if let encoding = headers["transfer-encoding"]?.lowercased(), encoding.contains("chunked") {
            body = try readChunkedBody()
        } else if let lengthText = headers["content-length"] {
            guard let length = Int(lengthText), length >= 0 else { throw .malformed("bad content-length") }
            body = try readBytes(length)
        }
        return Parsed(method: String(words[0]), target: String(words[1]), version: String(words[2]),
                      headers: headers, body: body)
    }

    /// Reads a chunked body and its trailers.
    private mutating func readChunkedBody() throws(Failure) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let sizeLine = String(decoding: try readLine(), as: UTF8.self)
            let sizeText = sizeLine.split(separator: ";", maxSplits: 1).first.map(String.init)?.trimmingSpaces ?? ""
            guard let size = Int(sizeText, radix: 16), size >= 0 else { throw .malformed("bad chunk size") }
            if size == 0 {
                while try !readLine().isEmpty {}
                return body
            }
            body += try readBytes(size)
            guard try readLine().isEmpty else { throw .malformed("chunk not followed by CRLF") }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) ?? first
        return String(scalars[first...last])
    }
}
