/// An evidence file and the message (the analyst's question) it was sent with.
public struct AttachedEvidence: Sendable, Equatable {
    /// The id of the user message that carries the file.
    public var messageID: Int
    public var file: EvidenceFile

    public init(messageID: Int, file: EvidenceFile) {
        self.messageID = messageID
        self.file = file
    }
}
