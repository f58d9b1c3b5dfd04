#if canImport(Glibc)
import Glibc
#endif
public import LLMClients
import Synchronization

/// A piped transcript: one turn per line; `"""` opens and closes a multi-line turn; lines starting
/// with `#` are comments; blank lines are skipped. Invalid UTF-8 becomes U+FFFD; NUL bytes and
/// 10 MB lines are read like any other text.
public final class ScriptedInput: InputSource {
    private let descriptor: Int32
    private let state = Mutex(State())

    struct State {
        var splitter = LineSplitter(maximumLineLength: 64 << 20)
        var pendingLines: [String] = []
        var reachedEnd = false
    }

    public init(descriptor: Int32 = 0) {
        self.descriptor = descriptor
    }

    public var isScripted: Bool { true }

    public func next(prompt: String) async -> InputEvent {
        var block: [String]? = nil
        while true {
            guard let line = await nextLine() else {
                if let block { return .line(block.joined(separator: "\n")) }  // unterminated block: keep it
                return .endOfInput
            }
            if var open = block {
                if line.trimmingSpaces() == "\"\"\"" { return .line(open.joined(separator: "\n")) }
                open.append(line)
                block = open
                continue
            }
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed == "\"\"\"" { block = []; continue }
            return .line(trimmed)
        }
    }

    /// The next physical line, reading more from the descriptor on a dedicated thread when needed.
    private func nextLine() async -> String? {
        while true {
            let (line, atEnd): (String?, Bool) = state.withLock { state in
                if !state.pendingLines.isEmpty { return (state.pendingLines.removeFirst(), false) }
                return (nil, state.reachedEnd)
            }
            if let line { return line }
            if atEnd { return nil }
            let chunk = await readChunk()
            state.withLock { state in
                if let chunk {
                    state.splitter.feed(chunk) { state.pendingLines.append(String(decoding: $0, as: UTF8.self)) }
                } else {
                    state.splitter.finish { state.pendingLines.append(String(decoding: $0, as: UTF8.self)) }
                    state.reachedEnd = true
                }
            }
        }
    }

    /// One `read(2)` off the cooperative pool; `nil` at end of input or on error.
    private func readChunk() async -> [UInt8]? {
        let descriptor = self.descriptor
        return await withCheckedContinuation { continuation in
            DetachedThread.run {
                var buffer = [UInt8](repeating: 0, count: 1 << 16)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0, errno == EINTR { continue }
                    continuation.resume(returning: count > 0 ? Array(buffer[..<count]) : nil)
                    return
                }
            }
        }
    }
}
