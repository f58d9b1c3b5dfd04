internal import CEditLine
#if canImport(Glibc)
import Glibc
#endif
import LLMClients
import Safeguards
import Dispatch
import Synchronization

/// Line editing with libedit: emacs keys, arrow-key history, Ctrl-R search, tab completion, and a
/// history file kept 0600.
///
/// `readline` blocks, so each read runs on a dedicated thread and is bridged back with a
/// continuation. Characters reach libedit through our own reader (`rl_getc_function`), which:
/// - turns a bracketed paste (the terminal marks it when asked with `ESC[?2004h`) into a visible item
///   in the edit line, `[pasted 29 lines, 1.7 KB]`, sent with whatever is typed around it on Enter
///   (a short single-line paste is simply inserted as text);
/// - with the terminal's signal keys turned off at the prompt (``TerminalMode``), handles Ctrl-C
///   (clears the line: ``InputEvent/interrupt``), Ctrl-\ (ends the session like Ctrl-D) and Ctrl-Z
///   (suspends, and redraws the prompt after `fg`) itself, so the same bytes inside a paste are data;
/// - is woken through a pipe by ``interruptRead()``.
/// A paste in a terminal without bracketed paste (lines arriving faster than anyone types) and a
/// `"""`-delimited block also arrive as one turn. libedit keeps global state, so there is one editor
/// per process.
public final class LineEditor: InputSource {
    private let historyPath: String?
    /// Passes terminal resizes (SIGWINCH) on to libedit. Created and resumed once, never touched again.
    nonisolated(unsafe) private static let resize: any DispatchSourceSignal = {
        signal(SIGWINCH, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
        source.setEventHandler { rl_resize_terminal() }
        source.resume()
        return source
    }()
    /// Completion candidates for (line so far, word being completed).
    public typealias Completer = @Sendable (_ line: String, _ word: String) -> [String]

    /// State shared with libedit's C callbacks, which cannot capture context.
    private static let completer = Mutex<Completer?>(nil)
    private static let matches = Mutex<[String]>([])
    private static let interrupted = Atomic<Bool>(false)
    private static let quitKeyPressed = Atomic<Bool>(false)
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

    /// Reads the keyboard between prompts (while an answer streams); its bytes are read first at the
    /// next prompt.
    private static let typeAhead = TypeAheadReader { bytes in LineEditor.pushback.withLock { $0.append(contentsOf: bytes) } }

    /// Lines longer than this (pastes, long blocks) are not kept in the history file.
    static let historyLimit = 4096

    /// - Parameters:
    ///   - historyPath: the history file (created 0600 in a 0700 directory), or `nil` for none.
    ///   - completer: candidates for tab completion.
    public init(historyPath: String?, completer: Completer? = nil) {
        self.historyPath = historyPath
        Self.completer.withLock { $0 = completer }
        _ = Self.wakePipe
        TerminalMode.saveOriginal()
        ceditline_set_getc { _ in LineEditor.readCharacter() }
        ceditline_set_readline_name("incident-repl")
        // Signals are ours: Ctrl-C, Ctrl-Z and Ctrl-\ come in as keys (see readCharacter), and a
        // resize is passed on by a signal source of our own.
        ceditline_set_catch_signals(0)
        rl_initialize()
        using_history()
        stifle_history(5000)
        if let historyPath {
            try? PrivateFile.makePrivateDirectory(PrivateFile.directory(of: historyPath))
            read_history(historyPath)
            history_truncate_file(historyPath, 5000)
        }
        // Ctrl-C while editing, delivered by readCharacter() as the character 0x03.
        ceditline_bind_function("ir-interrupt", { _, _ in
            LineEditor.interrupted.store(true, ordering: .relaxed)
            ceditline_set_done(1)
            return 0
        }, 3)
        // Ctrl-\ at the prompt: leave, as Ctrl-D does.
        ceditline_bind_function("ir-quit", { _, _ in
            LineEditor.quitKeyPressed.store(true, ordering: .relaxed)
            ceditline_set_done(1)
            return 0
        }, Self.quitKey)
        // Ctrl-O: show what the line's pastes hold (sanitized), above the prompt, then the line again.
        ceditline_bind_function("ir-show-pastes", { _, _ in
            LineEditor.showPastes()
            return 0
        }, Self.showPastesKey)
        // After a suspension: draw the prompt and the line again (Ctrl-], libedit's own redisplay).
        _ = rl_parse_and_bind("bind ^] ed-redisplay")
        _ = Self.resize
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
        Self.pastes.withLock { $0.removeAll() }
        guard let first = await readLine(prompt: prompt) else {
            Self.pastes.withLock { $0.removeAll() }
            if Self.interrupted.exchange(false, ordering: .relaxed) { return .interrupt }
            Self.quitKeyPressed.store(false, ordering: .relaxed)
            TerminalMode.restore()
            return .endOfInput
        }
        defer {
            // Until the next prompt: keys typed are kept for it, unseen, and signal keys are ours.
            TerminalMode.quietForAnswer()
            Self.typeAhead.start()
        }
        var lines = [first]
        if first.trimmingSpaces() == "\"\"\"" {
            // A typed block: everything up to the closing """.
            lines = []
            var closed = false
            while let line = await readLine(prompt: "... ") {
                if line.trimmingSpaces() == "\"\"\"" {
                    closed = true
                    break
                }
                lines.append(line)
            }
            if Self.interrupted.exchange(false, ordering: .relaxed) { return .interrupt }
            if !closed {
                Self.quitKeyPressed.store(false, ordering: .relaxed)
                Self.output("\n")
                return .cancelled("(block cancelled: Ctrl-D before the closing \"\"\"; nothing was sent)")
            }
        } else {
            // A paste without bracketing: more lines already waiting on the terminal.
            while Self.inputIsPending(), let line = await readLine(prompt: "") {
                lines.append(line)
            }
        }
        let typed = lines.joined(separator: "\n")
        let pastes = Self.pastes.withLock { value in defer { value.removeAll() }; return value }
        let text = Self.expand(typed, pastes: pastes)
        remember(typed, hadPaste: !pastes.isEmpty)
        return .line(text)
    }

    /// Replaces each paste's item in the line by the pasted text.
    static func expand(_ line: String, pastes: [(item: String, text: String)]) -> String {
        var result = line
        for paste in pastes {
            if let range = result.firstRange(of: paste.item) { result.replaceSubrange(range, with: paste.text) }
        }
        return result
    }

    /// Writes to the terminal (the bracketed-paste switches, a line end).
    private static func output(_ text: String) {
        var text = text
        text.withUTF8 { _ = write(1, $0.baseAddress, $0.count) }
    }

    /// One `readline` call on its own thread; `nil` on Ctrl-D, Ctrl-\ or Ctrl-C.
    private func readLine(prompt: String) async -> String? {
        await withCheckedContinuation { continuation in
            Self.typeAhead.stop()
            guard !TerminalMode.isShuttingDown else { return continuation.resume(returning: nil) }
            DetachedThread.run {
                ceditline_set_done(0)
                // libedit takes the mode it finds as the one to return to: give it the original.
                TerminalMode.restore()
                // Pastes bracketed, at the prompt and (for the TypeAheadReader) between prompts; left
                // on until TerminalMode.restore() at exit.
                Self.output("\u{1B}[?2004h")
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

    /// Bytes to hand to libedit before reading the terminal again (a paste's item, read-ahead).
    private static let pushback = Mutex<[UInt8]>([])
    /// The pastes of the line being edited: the item shown in the line, and the text it stands for.
    private static let pastes = Mutex<[(item: String, text: String)]>([])
    /// Keys libedit sees for our own actions (bound in init; never produced by a terminal key here).
    static let quitKey: Int32 = 0x1C
    static let showPastesKey: Int32 = 0x0F
    static let redrawKey: Int32 = 0x1D
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
    /// Ctrl-C when woken through the pipe, -1 at end. A bracketed paste becomes its item's characters.
    private static func readCharacter() -> Int32 {
        TerminalMode.disableSignalKeys()
        var bytes: [UInt8] = []
        while true {
            switch nextInput() {
            case .interrupt: return 3
            case .end, .timeout: return -1
            case .byte(let byte):
                if bytes.isEmpty {
                    if byte == 0x1B, let paste = readBracketedPaste() {
                        pushback.withLock { $0.insert(contentsOf: Array(insertion(for: paste).utf8), at: 0) }
                        continue
                    }
                    if byte == 0x1A {
                        suspend()
                        return redrawKey
                    }
                }
                bytes.append(byte)
                if bytes.count >= utf8Length(bytes[0]) {
                    let scalar = String(decoding: bytes, as: UTF8.self).unicodeScalars.first?.value ?? 0xFFFD
                    return Int32(bitPattern: scalar)
                }
            }
        }
    }

    /// What goes into the edit line for a paste: short single-line text as itself, anything else
    /// (several lines, control bytes, more than 200 bytes) as an item that stands for it.
    static func insertion(for paste: String) -> String {
        let plain = paste.utf8.count <= 200 && !paste.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if plain { return paste }
        var lines = paste.split(separator: "\n", omittingEmptySubsequences: false).count
        if paste.hasSuffix("\n") { lines -= 1 }  // a copied block usually ends with its line end
        let number = pastes.withLock { $0.count + 1 }
        let item = "[pasted \(number == 1 ? "" : "#\(number): ")\(lines) \(lines == 1 ? "line" : "lines"), \(size(paste.utf8.count))]"
        pastes.withLock { $0.append((item, paste)) }
        return item
    }

    /// Ctrl-O at the prompt: each paste of the line, in full (sanitized: a paste is untrusted), so a
    /// wrong clipboard is seen before Enter sends it; then the prompt and the line are drawn again.
    private static func showPastes() {
        let shown = pastes.withLock { $0 }
        var text = "\n"
        if shown.isEmpty {
            text += "(no paste in this line; a multi-line paste shows here in full)\n"
        }
        for paste in shown {
            text += "── \(paste.item) ──\n" + OutputSanitizer.sanitize(paste.text)
            if !paste.text.hasSuffix("\n") { text += "\n" }
            text += "── end of \(paste.item) ──\n"
        }
        output(text.replacing("\n", with: "\r\n"))
        rl_forced_update_display()
    }

    /// A byte count as the analyst reads it: 812 B, 1.7 KB, 3.2 MB.
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return "\(bytes) B" }
        if bytes < 1024 * 1024 { return "\((Double(bytes) / 1024 * 10).rounded() / 10) KB" }
        return "\((Double(bytes) / 1024 / 1024 * 10).rounded() / 10) MB"
    }

    /// Ctrl-Z at the prompt: give the terminal back, stop as the shell expects, and take it again
    /// after `fg` (the caller then has libedit draw the prompt and the line again).
    private static func suspend() {
        rl_deprep_terminal()
        TerminalMode.restore()
        output("\n")
        kill(0, SIGTSTP)  // the whole job: under `make run`, make too
        // The stop takes this thread at its next system call; it goes on after `fg` (SIGCONT).
        usleep(20_000)
        rl_prep_terminal(1)
        TerminalMode.disableSignalKeys()
        output("\u{1B}[?2004h")
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
            // The ESC itself goes to libedit now, what followed it next.
            pushback.withLock { $0.insert(contentsOf: lookahead, at: 0) }
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
    /// Lines typed ahead while an answer streamed (queued by the ``TypeAheadReader``) are separate
    /// turns, not a paste.
    private static func inputIsPending() -> Bool {
        if !pushback.withLock({ $0.isEmpty }) { return false }
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 15) > 0
    }

    /// Adds what was typed to the history and appends it to the history file. Lines with a paste,
    /// and anything longer than ``historyLimit``, stay out: the file is small, and a pasted secret
    /// or another customer's log is not kept in it. Secrets typed in a line are kept redacted.
    private func remember(_ typed: String, hadPaste: Bool) {
        guard !typed.trimmingSpaces().isEmpty, !hadPaste, typed.utf8.count <= Self.historyLimit else { return }
        var redactor = SecretRedactor()
        add_history(redactor.redact(typed).text)
        guard let historyPath else { return }
        let fd = open(historyPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return }
        fchmod(fd, 0o600)
        close(fd)
        append_history(1, historyPath)
    }
}
