/// A piece of text the analyst attached to a question, such as an evidence file's content: a label
/// naming it (file name, size, hash, selection) and the text itself.
///
/// The question and its attachments travel as one user message, so they are fenced as untrusted
/// data and redacted exactly as a paste is. The layout of that message is part of the journal
/// format: a resumed session rebuilds it with ``compose(question:attachments:)``, so changing the
/// layout changes what old sessions send.
public struct Attachment: Sendable, Codable, Equatable, Hashable {
    /// One line naming the attachment (never its content).
    public var label: String
    /// The attached text, whole.
    public var text: String

    /// Creates an attachment; line breaks in `label` become spaces.
    public init(label: String, text: String) {
        self.label = String(label.map { $0 == "\n" || $0 == "\r" || $0 == "\r\n" ? " " : $0 })
        self.text = text
    }

    /// The line before the attachment's text.
    public var header: String { "----- attached file: \(label) -----" }

    /// The line after the attachment's text.
    public var footer: String { "----- end of attached file -----" }

    /// The user message for `question` with `attachments`: the question, then each attachment
    /// between its header and footer, separated by blank lines.
    public static func compose(question: String, attachments: [Attachment]) -> String {
        var parts = [question]
        for attachment in attachments {
            var text = attachment.text
            if text.hasSuffix("\n") { text.removeLast() }
            parts.append(attachment.header + "\n" + text + "\n" + attachment.footer)
        }
        return parts.joined(separator: "\n\n")
    }
}
