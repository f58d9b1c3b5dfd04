#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// What a REPL that started a shared embedded server wrote down for the next one: where it listens,
/// which process it is, and the token it demands. Kept 0600 in the analyst's 0700 state directory,
/// so only the same user can learn the token, and only a server that checks it is reused.
struct ServerRecord: Codable, Equatable, Sendable {
    var pid: Int32
    var port: Int
    var token: String
    var modelPath: String?
    var contextSize: Int

    static func read(from path: String) -> ServerRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(ServerRecord.self, from: data)
    }

    func write(to path: String) throws {
        let bytes = try Array(JSONEncoder().encode(self))
        try AtomicFile.write(bytes, to: path)
    }

    /// A random token: 128 bits from the system generator (the kernel's getrandom on Linux), as hex.
    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
