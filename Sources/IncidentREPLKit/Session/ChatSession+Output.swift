import ConversationCore
import LLMClients
import Safeguards
/// Lines for the analyst: every write is sanitized by ``TerminalOutput``.
extension ChatSession {
    /// `text` with invisible characters made visible, and one notice line when there were any.
    func revealed(_ text: String) -> String {
        let revealed = InvisibleCharacters.reveal(text)
        if let notice = revealed.notice { warn(OutputSanitizer.sanitize(notice)) }
        return revealed.text
    }

    /// A line for the analyst (sanitized, as every write is).
    func say(_ text: String) {
        output.write(text + "\n")
    }

    /// Text that contains model output or pasted input (``say(_:)`` sanitizes just the same: every
    /// write does).
    func sayUntrusted(_ text: String) {
        output.write(text + "\n")
    }

    func warn(_ text: String) {
        errors.write(errors.dim(text) + "\n")
    }
}
