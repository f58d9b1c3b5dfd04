#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import ConversationCore
#if canImport(Glibc)
import Glibc
#endif
import Safeguards

/// Reads evidence files: regular files of UTF-8 text (gzip-compressed or not), hashed as they are
/// on disk, with the selected part taken and invisible characters made visible.
///
/// Refused, with what to do instead: a missing or unreadable file, a directory or device, a file
/// larger than ``maximumBytes`` (compressed or decompressed), and binary data (a NUL byte, UTF-16,
/// or more than ``toleratedInvalidSequences`` invalid UTF-8 sequences).
public enum EvidenceReader {
    /// The most bytes read from disk, or decompressed.
    public static let maximumBytes = 256 << 20
    /// Invalid UTF-8 sequences shown as U+FFFD rather than refusing the file.
    public static let toleratedInvalidSequences = 8

    /// Reads the file `request` names.
    /// - Parameters:
    ///   - environment: For `~` (HOME).
    ///   - currentDirectory: For relative paths.
    ///   - now: The attachment time recorded.
    /// - Throws: ``REPLError/file(path:reason:)``.
    public static func read(
        _ request: EvidenceRequest, environment: [String: String], currentDirectory: String, now: Date = Date()
    ) throws -> EvidenceFile {
        let path = absolutePath(request.path, environment: environment, currentDirectory: currentDirectory)
        let (bytes, modified) = try readRegularFile(path)
        let sha256 = Digest.sha256Hex(bytes)
        let compressed = GzipDecoder.isGzip(bytes)
        var content = compressed ? try GzipDecoder.decompress(bytes, path: path, limit: maximumBytes) : bytes
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content.removeFirst(3) }  // a UTF-8 byte-order mark
        let (decoded, replaced) = try text(of: content, path: path)
        var lines = decoded.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1, lines.last?.isEmpty == true { lines.removeLast() }  // the final newline ends a line
        let total = decoded.isEmpty ? 0 : lines.count
        var selected = decoded
        var count = total
        if let selection = request.selection {
            (selected, count) = try selection.apply(to: lines, path: path)
        }
        let revealed = InvisibleCharacters.reveal(selected)
        var file = EvidenceFile(
            path: path, size: bytes.count, sha256: sha256, modified: modified, attached: now, compressed: compressed,
            selection: request.selection, totalLines: total, attachedLines: count, replacedSequences: replaced,
            text: revealed.text)
        file.notice = revealed.notice
        return file
    }

    /// Whether something exists at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// `path` with `~` expanded and made absolute.
    static func absolutePath(_ path: String, environment: [String: String], currentDirectory: String) -> String {
        var expanded = path
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"], !home.isEmpty {
            expanded = home + path.dropFirst()
        }
        if expanded.hasPrefix("/") { return expanded }
        return (currentDirectory.hasSuffix("/") ? currentDirectory : currentDirectory + "/") + expanded
    }

    /// The bytes and modification time of a regular file.
    static func readRegularFile(_ path: String) throws -> ([UInt8], Date) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw REPLError.file(path: path, reason: reason)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw REPLError.file(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            throw REPLError.file(path: path, reason: "\(what); name the files to attach (tab completes paths)")
        }
        let size = Int(info.st_size)
        guard size <= maximumBytes else {
            throw REPLError.file(path: path, reason: "\(size.grouped) bytes is more than \(maximumBytes.grouped) can be read; "
                + "cut out the part you need first (grep PATTERN FILE > part.log, tail -n 5000 FILE > part.log)")
        }
        let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
        var bytes = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let count = bytes[offset...].withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw REPLError.file(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { break }  // shrank while being read: take what is there
            offset += count
        }
        bytes.removeSubrange(offset...)
        return (bytes, modified)
    }

    /// The text of `bytes`, and how many invalid UTF-8 sequences became U+FFFD.
    /// - Throws: ``REPLError/file(path:reason:)`` for binary data.
    static func text(of bytes: [UInt8], path: String) throws -> (String, Int) {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw REPLError.file(path: path, reason: "UTF-16 text, which cannot be attached as it is; "
                + "convert it first: iconv -f UTF-16 -t UTF-8 FILE > FILE.txt")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw REPLError.file(path: path, reason: "binary data (a NUL byte at offset \(nul.grouped)); only text "
                + "evidence can be attached: extract the text first (strings, a log exporter, tshark, evtx_dump…)")
        }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, 0) }
        var invalid = 0
        var firstInvalid: Int?
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var consumed = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
            case .error:
                invalid += 1
                if firstInvalid == nil { firstInvalid = consumed }
                consumed += 1
                if invalid > toleratedInvalidSequences { break loop }
            case .emptyInput:
                break loop
            }
        }
        guard invalid <= toleratedInvalidSequences else {
            throw REPLError.file(path: path, reason: "not UTF-8 text (more than \(toleratedInvalidSequences) invalid byte "
                + "sequences, the first near offset \((firstInvalid ?? 0).grouped)); if it is text in another encoding, "
                + "convert it first (iconv -f LATIN1 -t UTF-8 FILE > FILE.txt); binary files cannot be attached")
        }
        return (String(decoding: bytes, as: UTF8.self), invalid)
    }
}
