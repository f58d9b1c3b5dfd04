/// The running summary of the oldest exchanges, written by the model and extended as the
/// conversation grows.
public struct ConversationSummary: Sendable, Codable, Equatable {
    /// The summary text.
    public var text: String
    /// The id of the last message the summary covers; later messages are sent as they are.
    public var coversThroughMessageID: Int
    /// The raw token estimate of the summary as it is sent.
    var rawTokens: Int

    /// The heading under which the summary is appended to the system prompt.
    static let heading = "\n\n## Summary of the earlier conversation\n"

    init(text: String, coversThroughMessageID: Int) {
        self.text = text
        self.coversThroughMessageID = coversThroughMessageID
        self.rawTokens = TokenEstimator.rawEstimate(ConversationSummary.heading + text)
    }
}
