#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file's content all at once: readers and crashes see the old file or the new one whole.
///
/// Writes a temporary file in the same directory (0600, `O_EXCL`), fsyncs it, renames it over the
/// target, then fsyncs the directory. On any error the temporary file is removed and the target is
/// left as it was.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically, mode 0600.
    /// - Throws: ``REPLError/file(path:reason:)``; the target is then untouched.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = PrivateFile.directory(of: path)
        let base = path.split(separator: "/").last.map(String.init) ?? "export"
        var temporary = ""
        var fd: Int32 = -1
        for attempt in 0..<16 {
            temporary = "\(directory)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(attempt)"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw REPLError.file(path: path, reason: "cannot create a temporary file: \(errorText())") }
        var descriptorOpen = true
        do {
            fchmod(fd, 0o600)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw REPLError.file(path: path, reason: errorText())
                }
                offset += written
            }
            guard fsync(fd) == 0 else { throw REPLError.file(path: path, reason: "fsync failed: \(errorText())") }
            descriptorOpen = false
            guard close(fd) == 0 else { throw REPLError.file(path: path, reason: "close failed: \(errorText())") }
            guard rename(temporary, path) == 0 else { throw REPLError.file(path: path, reason: errorText()) }
        } catch {
            if descriptorOpen { close(fd) }
            unlink(temporary)
            throw error
        }
        try PrivateFile.syncDirectory(directory)
    }

    private static func errorText() -> String {
        String(cString: strerror(errno))
    }
}
