#if canImport(Glibc)
import Glibc
#endif

/// A file only the analyst can read: created 0600 inside a 0700 directory whatever the umask, opened
/// for appending so every write lands after the last byte.
public struct PrivateFile: ~Copyable {
    public let path: String
    private let descriptor: Int32

    public init(appendingTo path: String) throws {
        self.path = path
        try Self.makePrivateDirectory(Self.directory(of: path))
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw REPLError.file(path: path, reason: String(cString: strerror(errno))) }
        // open's mode is filtered by the umask, and an existing file keeps its mode: force 0600.
        fchmod(fd, 0o600)
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Appends bytes in one write (a complete line lands whole), optionally followed by fdatasync
    /// (the data and the file size reach the disk; the timestamps need not).
    public func append(_ bytes: [UInt8], sync: Bool) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw REPLError.file(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        if sync, fdatasync(descriptor) != 0 {
            throw REPLError.file(path: path, reason: "fdatasync failed: \(String(cString: strerror(errno)))")
        }
    }

    /// A second descriptor for the same open file (for syncing it from another thread); the caller closes it.
    public func duplicateDescriptor() throws -> Int32 {
        let copy = fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        guard copy >= 0 else { throw REPLError.file(path: path, reason: String(cString: strerror(errno))) }
        return copy
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Creates `directory` (and its parents) 0700; an existing one is tightened to 0700. One that
    /// belongs to another user is refused, as ssh refuses a key in a folder others control: its
    /// owner could read what is written there or plant a link where a file is about to be created.
    public static func makePrivateDirectory(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw REPLError.file(path: directory, reason: "it is not a folder")
            }
            guard info.st_uid == getuid() else {
                throw REPLError.file(
                    path: directory,
                    reason: "the folder belongs to another user (uid \(info.st_uid)); journals, notes and the "
                        + "clipboard fallback are kept only in a folder of your own (set XDG_STATE_HOME to one)")
            }
            if info.st_mode & 0o077 != 0 { chmod(directory, 0o700) }
            return
        }
        let parent = Self.directory(of: directory)
        if parent != directory, stat(parent, &info) != 0 { try makePrivateDirectory(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            throw REPLError.file(path: directory, reason: String(cString: strerror(errno)))
        }
        chmod(directory, 0o700)
    }
}
