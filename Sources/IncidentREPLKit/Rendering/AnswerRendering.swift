/// How answers reach the screen: exactly as the model sent them (sanitized), or rendered Markdown.
public enum AnswerRendering: Sendable, Equatable {
    /// The model's text, sanitized and otherwise unchanged: pipes, transcripts, `--plain`.
    case plain
    /// Markdown rendered for a terminal.
    /// - Parameters:
    ///   - color: Whether colours may be used (`NO_COLOR` keeps attributes such as bold, drops colour).
    ///   - width: The width to wrap to; nil follows the terminal's (SIGWINCH).
    case markdown(color: Bool, width: Int? = nil)

    /// Rendered on a terminal that can move the cursor, unless `--plain`; plain everywhere else.
    public static func choose(plain: Bool, output: TerminalOutput, environment: [String: String]) -> AnswerRendering {
        guard !plain, output.isTerminal, environment["TERM"] != "dumb" else { return .plain }
        return .markdown(color: environment["NO_COLOR"] == nil)
    }
}
