#if canImport(Glibc)
import Glibc
#endif

extension PrivateFile {
    /// Makes a directory's entries durable: fsync(2) on a file does not persist the entry that names
    /// it, so a new or renamed file needs its directory synced too.
    public static func syncDirectory(_ directory: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw REPLError.file(path: directory, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        if fsync(fd) != 0, errno != EINVAL {
            throw REPLError.file(path: directory, reason: "fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Whether something exists at `path` (without following a final symlink).
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// The whole content of a file.
    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw REPLError.file(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw REPLError.file(path: path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[..<count])
        }
    }
}
