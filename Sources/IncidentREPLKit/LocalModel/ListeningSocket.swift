#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Who listens on a loopback TCP port, read from the kernel (`/proc/net/tcp`, `/proc/PID/fd`)
/// before anything is sent there: on a shared machine another user can bind a port the moment ours
/// is free, and a case sent there unredacted (loopback) would be theirs.
enum ListeningSocket {
    /// Whether the socket listening on 127.0.0.1:`port` is open in process `pid` and owned by this user.
    static func isHeld(port: Int, byProcess pid: Int32) -> Bool {
        guard let (inode, uid) = listener(port: port), uid == getuid() else { return false }
        let directory = "/proc/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        let wanted = "socket:[\(inode)]"
        return descriptors.contains { (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\($0)")) == wanted }
    }

    /// A proc file read to its end: they report a size of 0 and come in page-sized reads.
    static func readWhole(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }

    /// The inode and owner of the socket listening on 127.0.0.1:`port` (or on every address).
    static func listener(port: Int) -> (inode: String, uid: uid_t)? {
        guard let table = readWhole("/proc/net/tcp") else { return nil }
        let hex = String(port, radix: 16, uppercase: true)
        let portHex = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        for line in String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == "0A" else { continue }  // 0A: LISTEN
            let local = fields[1].split(separator: ":")
            guard local.count == 2, local[1] == portHex, local[0] == "0100007F" || local[0] == "00000000" else { continue }
            guard let uid = uid_t(fields[7]) else { continue }
            return (String(fields[9]), uid)
        }
        return nil
    }
}
