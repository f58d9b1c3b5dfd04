internal import CEditLine
#if canImport(Glibc)
import Glibc
#endif
import LLMClients
import Synchronization

/// Line editing with libedit: emacs keys, arrow-key history, Ctrl-R search, tab completion, and a
/// history file kept 0600.
///
/// `readline` blocks, so each read runs on a dedicated thread and is bridged back with a
/// continuation. A bracketed paste (the terminal marks it when asked with `ESC[?2004h`) arrives
/// whole as one turn. Ctrl-C at the prompt clears the line and returns ``InputEvent/interrupt``: the
/// SIGINT handler calls ``interruptRead()``, which wakes our own character reader (libedit's
/// `rl_getc_function`) through a pipe; it hands libedit a Ctrl-C character bound to a function that
/// ends the read. A paste in a terminal without bracketed paste (lines arriving faster than anyone
/// types) and a `"""`-delimited block also arrive as one turn. libedit keeps global state, so there is one editor per process.
public final class LineEditor: InputSource {
    private let historyPath: String?
    /// Completion candidates for (line so far, word being completed).
    public typealias Completer = @Sendable (_ line: String, _ word: String) -> [String]

    /// State shared with libedit's C callbacks, which cannot capture context.
    private static let completer = Mutex<Completer?>(nil)
    private static let matches = Mutex<[String]>([])
    private static let interrupted = Atomic<Bool>(false)
    /// A self-pipe that wakes the character reader on Ctrl-C.
    private static let wakePipe: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return (-1, -1) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        return (fds[0], fds[1])
    }()

    /// - Parameters:
    ///   - historyPath: the history file (created 0600 in a 0700 directory), or `nil` for none.
    ///   - completer: candidates for tab completion.
    public init(historyPath: String?, completer: Completer? = nil) {
        self.historyPath = historyPath
        Self.completer.withLock { $0 = completer }
        _ = Self.wakePipe
        ceditline_set_getc { _ in LineEditor.readCharacter() }
        ceditline_set_readline_name("incident-repl")
        rl_initialize()
        using_history()
        stifle_history(5000)
        if let historyPath {
            try? PrivateFile.makePrivateDirectory(PrivateFile.directory(of: historyPath))
            read_history(historyPath)
        }
        // Ctrl-C while editing, delivered by readCharacter() as the character 0x03.
        ceditline_bind_function("ir-interrupt", { _, _ in
            LineEditor.interrupted.store(true, ordering: .relaxed)
            ceditline_set_done(1)
            return 0
        }, 3)
        // A whole bracketed paste: end the read; next() picks the text up.
        ceditline_bind_function("ir-paste", { _, _ in
            let typed = ceditline_line_buffer().map { String(cString: $0) } ?? ""
            LineEditor.pasted.withLock { $0 = typed + ($0 ?? "") }
            ceditline_set_done(1)
            return 0
        }, Self.pasteKey)
        ceditline_set_completion_generator { text, state in
            if state == 0 {
                let word = String(cString: text)
                let line = ceditline_line_buffer().map { String(cString: $0) } ?? word
                let candidates = LineEditor.completer.withLock { $0 }?(line, word) ?? []
                LineEditor.matches.withLock { $0 = candidates.filter { $0.hasPrefix(word) }.reversed() }
            }
            guard let next = LineEditor.matches.withLock({ $0.popLast() }) else { return nil }
            return strdup(next)
        }
    }

    public var isScripted: Bool { false }

    public func next(prompt: String) async -> InputEvent {
        guard let first = await readLine(prompt: prompt) else {
            if let paste = Self.pasted.withLock({ value -> String? in defer { value = nil }; return value }) {
                // A bracketed paste (with whatever was typed before it) is one message.
                output("\n")
                remember(paste)
                return .line(paste)
            }
            return Self.interrupted.exchange(false, ordering: .relaxed) ? .interrupt : .endOfInput
        }
        var lines = [first]
        if first.trimmingSpaces() == "\"\"\"" {
            // A typed block: everything up to the closing """.
            lines = []
            while let line = await readLine(prompt: "... ") {
                if line.trimmingSpaces() == "\"\"\"" { break }
                lines.append(line)
            }
            if Self.interrupted.exchange(false, ordering: .relaxed) { return .interrupt }
        } else {
            // A paste: more lines already waiting on the terminal.
            while Self.inputIsPending(), let line = await readLine(prompt: "") {
                lines.append(line)
            }
        }
        let text = lines.joined(separator: "\n")
        remember(text)
        return .line(text)
    }

    /// Writes to the terminal (the bracketed-paste switches, a line end).
    private func output(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }

    /// One `readline` call on its own thread; `nil` on Ctrl-D, Ctrl-C or a bracketed paste.
    private func readLine(prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            DetachedThread.run { [self] in
                ceditline_set_done(0)
                output("\u{1B}[?2004h")  // ask the terminal to bracket pastes
                defer { output("\u{1B}[?2004l") }
                guard let raw = readline(prompt) else {
                    continuation.resume(returning: nil)
                    return
                }
                defer { free(raw) }
                continuation.resume(returning: String(cString: raw))
            }
        }
    }

    /// Ends the read in progress as if the analyst pressed Ctrl-C (called from the SIGINT handler).
    public func interruptRead() {
        var byte: UInt8 = 3
        _ = write(Self.wakePipe.write, &byte, 1)
    }

    /// What one read of the terminal gave.
    private enum Input {
        case byte(UInt8)
        case interrupt
        case timeout
        case end
    }

    /// Bytes read ahead while looking for a bracketed-paste marker, to be handed to libedit first.
    private static let pushback = Mutex<[UInt8]>([])
    /// A bracketed paste, waiting for ``next(prompt:)``.
    private static let pasted = Mutex<String?>(nil)
    /// The key libedit sees when a paste has been read whole (Ctrl-^, bound to end the read).
    static let pasteKey: Int32 = 0x1E
    private static let pasteStart = Array("[200~".utf8)
    private static let pasteEnd = Array("\u{1B}[201~".utf8)

    /// One byte: the pushed-back bytes first, then standard input, woken early by Ctrl-C.
    private static func nextInput(timeoutMilliseconds: Int32 = -1) -> Input {
        if let byte = pushback.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { return .byte(byte) }
        while true {
            var fds = [pollfd(fd: 0, events: Int16(POLLIN), revents: 0), pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeoutMilliseconds)
            if ready < 0 {
                if errno == EINTR { continue }
                return .end
            }
            if ready == 0 { return .timeout }
            if fds[1].revents != 0 {
                var drain = [UInt8](repeating: 0, count: 16)
                _ = read(wakePipe.read, &drain, drain.count)
                return .interrupt
            }
            var byte: UInt8 = 0
            let count = read(0, &byte, 1)
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            return count == 1 ? .byte(byte) : .end
        }
    }

    /// libedit's character source: one Unicode scalar from standard input (decoded from UTF-8),
    /// Ctrl-C when woken through the pipe, the paste key after a whole bracketed paste, -1 at end.
    private static func readCharacter() -> Int32 {
        var bytes: [UInt8] = []
        while true {
            switch nextInput() {
            case .interrupt: return 3
            case .end, .timeout: return -1
            case .byte(let byte):
                if bytes.isEmpty, byte == 0x1B, let paste = readBracketedPaste() {
                    pasted.withLock { $0 = paste }
                    return pasteKey
                }
                bytes.append(byte)
                if bytes.count >= utf8Length(bytes[0]) {
                    let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first?.value ?? 0xFFFD
                    return Int32(bitPattern: scalar)
                }
            }
        }
    }

    /// After an ESC: if `[200~` follows, reads the paste up to `ESC[201~` and returns it; otherwise
    /// pushes back what it read (an arrow key, say) and returns nil.
    private static func readBracketedPaste() -> String? {
        var lookahead: [UInt8] = []
        while lookahead.count < pasteStart.count {
            guard case .byte(let byte) = nextInput(timeoutMilliseconds: 20) else { break }
            lookahead.append(byte)
            if byte != pasteStart[lookahead.count - 1] { break }
        }
        guard lookahead == pasteStart else {
            pushback.withLock { $0.append(contentsOf: lookahead) }
            return nil
        }
        var body: [UInt8] = []
        while true {
            guard case .byte(let byte) = nextInput() else { break }
            body.append(byte)
            if body.count >= pasteEnd.count, body.suffix(pasteEnd.count).elementsEqual(pasteEnd) {
                body.removeLast(pasteEnd.count)
                break
            }
        }
        // Terminals send a paste's line ends as CR.
        return String(decoding: body, as: UTF8.self).replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }

    private static func utf8Length(_ lead: UInt8) -> Int {
        lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
    }

    /// Whether more input is already waiting (a paste), allowing a few milliseconds for it to land.
    private static func inputIsPending() -> Bool {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 15) > 0
    }

    /// Adds a line to the history and saves the history file atomically: libedit writes a private
    /// temporary file, which is fsynced and renamed over the old one, so a crash never leaves a
    /// truncated history.
    private func remember(_ text: String) {
        guard !text.trimmingSpaces().isEmpty else { return }
        add_history(text)
        guard let historyPath else { return }
        let temporary = historyPath + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        fchmod(fd, 0o600)
        close(fd)
        guard write_history(temporary) == 0 else {
            unlink(temporary)
            return
        }
        let written = open(temporary, O_RDONLY | O_CLOEXEC)
        if written >= 0 {
            fsync(written)
            close(written)
        }
        if rename(temporary, historyPath) != 0 { unlink(temporary) }
    }
}
