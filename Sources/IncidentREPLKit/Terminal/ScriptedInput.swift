#if canImport(Glibc)
import Glibc
#endif
import LLMClients
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
        /// The next line of `pendingLines` to hand out (an index, not removeFirst: a 100,000-line paste stays linear).
        var nextLine = 0
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
            if block != nil {
                if line.trimmingSpaces() == "\"\"\"" { return .line(block!.joined(separator: "\n")) }
                block!.append(line)  // in place: copying the block per line would be quadratic
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
                if state.nextLine < state.pendingLines.count {
                    defer { state.nextLine += 1 }
                    return (state.pendingLines[state.nextLine], false)
                }
                state.pendingLines.removeAll(keepingCapacity: true)
                state.nextLine = 0
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
