/// The evidence of the current conversation: files staged for the next question, and files
/// already sent with a question.
public struct EvidenceLedger: Sendable, Equatable {
    /// Files attached with `/file` or `--file`, waiting for the next question.
    public var staged: [EvidenceFile]
    /// Files sent, with the message each went with, in order.
    public var attached: [AttachedEvidence]

    public init(staged: [EvidenceFile] = [], attached: [AttachedEvidence] = []) {
        self.staged = staged
        self.attached = attached
    }

    /// For each indicator key (``Indicator/key``) found in attached files, the files' names, in
    /// order (each file's text is scanned once).
    func fileNamesByIndicator() -> [String: [String]] {
        var names: [String: [String]] = [:]
        for item in attached {
            for key in item.file.indicatorKeys where !(names[key]?.contains(item.file.name) ?? false) {
                names[key, default: []].append(item.file.name)
            }
        }
        return names
    }
}
