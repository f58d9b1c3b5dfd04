#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import Synchronization

/// A fresh directory under /tmp, removed when the value is released.
final class TemporaryDirectory: Sendable {
    let path: String

    init() {
        var template = Array("/tmp/journal-tests-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit {
        Self.remove(path)
    }

    /// Removes a file or a directory tree.
    static func remove(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            if let handle = opendir(path) {
                while let entry = readdir(handle) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) {
                        String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                    }
                    if name != ".", name != ".." { remove(path + "/" + name) }
                }
                closedir(handle)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Names in a directory, sorted, without `.` and `..`.
    static func contents(of path: String) -> [String] {
        guard let handle = opendir(path) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// A clock that starts at a fixed moment and advances one second per reading.
final class SteppingClock: Sendable {
    private let next: Mutex<Date>

    init(start: Date = Date(timeIntervalSince1970: 1_795_647_660)) {
        next = Mutex(start)
    }

    func now() -> Date {
        next.withLock { date in
            defer { date += 1 }
            return date
        }
    }

    var function: @Sendable () -> Date {
        { self.now() }
    }
}

/// The permission bits of a file or directory.
func permissions(of path: String) -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { return 0o7777 }
    return info.st_mode & 0o7777
}

func fileBytes(_ path: String) throws -> [UInt8] {
    try PrivateFile.readAll(path)
}

func writeFile(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    precondition(fd >= 0, "cannot write \(path)")
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
}

let sampleStart = JournalEvent.SessionStart(
    provider: "anthropic", model: "claude-sonnet-4-5", role: "triage",
    systemPrompt: "You are a careful incident responder.", strategy: "drop-oldest"
)
