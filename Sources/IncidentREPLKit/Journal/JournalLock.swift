#if canImport(Glibc)
import Glibc
#endif

/// One writer per journal: an exclusive `flock(2)` on the journal's open file, taken without
/// waiting when the journal is created or reopened.
///
/// Two terminals running `--resume` on one session would otherwise append two conversations to one
/// file, interleaved on replay. The lock belongs to the open file description, so it lasts as long
/// as any descriptor of it (the journal's own, its syncer's) is open, is released by the kernel when
/// the process dies however it dies, and is not disturbed by other opens of the file for reading
/// (`/sessions`, `/export`), unlike a POSIX record lock. The holder's pid is looked up in
/// `/proc/locks` for the message; the lock itself does not depend on it.
enum JournalLock {
    /// Locks the journal open on `descriptor`, or throws a message naming the session and the
    /// process that holds it.
    /// - Parameters:
    ///   - descriptor: A descriptor of the journal's open file description (kept open while locked).
    ///   - path: The journal file, for the message.
    ///   - session: The session's name, for the message.
    static func acquire(descriptor: Int32, path: String, session: String) throws {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            guard errno == EWOULDBLOCK else {
                throw REPLError.file(path: path, reason: "cannot lock the journal: \(String(cString: strerror(errno)))")
            }
            throw REPLError.file(path: path, reason: message(session: session, holder: holder(of: descriptor)))
        }
    }

    /// Releases the lock held through `descriptor` (still open) at once.
    static func release(descriptor: Int32) {
        while flock(descriptor, LOCK_UN) != 0, errno == EINTR {}
    }

    /// What the analyst reads when the session is taken.
    static func message(session: String, holder: Int32?) -> String {
        switch holder {
        case let pid? where pid == getpid():
            return "session '\(session)' is already open in this incident-repl"
        case let pid?:
            return "session '\(session)' is open in another incident-repl (pid \(pid)); "
                + "finish it there (quit or Ctrl-D), or start a new session here"
        case nil:
            return "session '\(session)' is open in another process; "
                + "finish it there (quit or Ctrl-D), or start a new session here"
        }
    }

    /// The pid holding a `flock` on the file open on `descriptor`, from `/proc/locks`; nil if unknown.
    static func holder(of descriptor: Int32) -> Int32? {
        var info = stat()
        guard fstat(descriptor, &info) == 0, let table = try? PrivateFile.readAll("/proc/locks") else { return nil }
        let device = deviceField(UInt64(info.st_dev))
        let inode = String(info.st_ino)
        var inodeOnly: Int32?
        for line in String(decoding: table, as: UTF8.self).split(separator: "\n") {
            // `3: FLOCK  ADVISORY  WRITE 5638 fe:00:16220337 0 EOF`; waiters have `->` after the number.
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]) else { continue }
            let file = fields[5].split(separator: ":")
            guard file.count == 3, file[2] == inode else { continue }
            if "\(file[0]):\(file[1])" == device { return pid }
            inodeOnly = inodeOnly ?? pid
        }
        return inodeOnly
    }

    /// `major:minor` in hex, as `/proc/locks` prints a device.
    private static func deviceField(_ device: UInt64) -> String {
        let major = ((device >> 8) & 0xFFF) | ((device >> 32) & ~UInt64(0xFFF))
        let minor = (device & 0xFF) | ((device >> 12) & ~UInt64(0xFF))
        func hex(_ value: UInt64) -> String {
            let text = String(value, radix: 16)
            return text.count < 2 ? "0" + text : text
        }
        return "\(hex(major)):\(hex(minor))"
    }
}
