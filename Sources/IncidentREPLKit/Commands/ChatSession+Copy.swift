#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
import Safeguards

extension ChatSession {
    /// `/copy [N] [--file]`: the last (or Nth) code block of the last answer, to the clipboard.
    ///
    /// On a terminal, through OSC 52 (our own sequence, written only on this command; the payload is
    /// base64 of the sanitized code, so the model's text cannot end or extend it). Piped, on a
    /// terminal known not to take it, or with `--file`: written to a 0600 file in the state
    /// directory, and the path is said.
    func copyCodeBlock(_ argument: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let usage = "usage: /copy [N] [--file] (N counts the code blocks of the last answer from 1)"
        var number: Int?
        var toFile = false
        for word in argument.split(separator: " ") {
            if word == "--file" {
                toFile = true
            } else if let value = Int(word), value > 0, number == nil {
                number = value
            } else {
                return warn(usage)
            }
        }
        guard let answer = conversation.messages.last(where: { $0.role == .assistant }) else {
            return warn("no answer yet: /copy takes a code block of the last answer")
        }
        // The code as it was shown: sanitized (an escape sequence is copied as the inert `^[`).
        let blocks = CodeBlock.all(in: OutputSanitizer.sanitize(answer.text))
        guard !blocks.isEmpty else { return warn("the last answer has no code block") }
        let index = number ?? blocks.count
        guard index <= blocks.count else {
            return warn("the last answer has \(blocks.count) code block\(blocks.count == 1 ? "" : "s"): /copy 1 to /copy \(blocks.count)")
        }
        let block = blocks[index - 1]
        let lines = block.text.isEmpty ? 0 : block.text.split(separator: "\n", omittingEmptySubsequences: false).count
        let what = "code block \(index) of \(blocks.count)\(block.language.isEmpty ? "" : " (\(block.language))"), "
            + "\(lines) line\(lines == 1 ? "" : "s")"
        if !toFile, output.isTerminal, !["dumb", "linux"].contains(environment["TERM"] ?? "dumb") {
            output.write(TerminalText.clipboard(block.text))
            say("copied \(what) to the clipboard (OSC 52; if your terminal ignores it: /copy \(index) --file)")
            return
        }
        let directory = StatePaths.stateDirectory(environment: environment) + "/clipboard"
        let path = directory + "/code-block." + Self.fileExtension(for: block.language)
        do {
            try PrivateFile.makePrivateDirectory(directory)
            try AtomicFile.write(Array((block.text + "\n").utf8), to: path)
            let reason = toFile ? "" : output.isTerminal ? " (this terminal takes no OSC 52)" : " (output is not a terminal)"
            say("wrote \(what) to \(path) (0600)\(reason)")
        } catch {
            warn("/copy: \(error)")
        }
    }

    /// `kql` → `kql`; anything that is not a short plain word → `txt`.
    static func fileExtension(for language: String) -> String {
        let word = language.lowercased()
        guard (1...12).contains(word.count), word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            return "txt"
        }
        return word
    }
}
