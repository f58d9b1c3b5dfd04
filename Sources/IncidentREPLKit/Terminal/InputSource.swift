/// What the analyst typed: a turn, or the end of input.
public enum InputEvent: Sendable, Equatable {
    /// One turn: a line, or a whole multi-line block.
    case line(String)
    /// Ctrl-C at the prompt.
    case interrupt
    /// Input abandoned before it was complete (Ctrl-D inside a `"""` block), with what to tell the analyst.
    case cancelled(String)
    /// Ctrl-D, Ctrl-\\ or end of the piped transcript.
    case endOfInput
}

/// Where turns come from: the line editor on a terminal, or a piped transcript.
public protocol InputSource: AnyObject, Sendable {
    /// Whether input is a scripted transcript (echoed to stdout, no prompt).
    var isScripted: Bool { get }
    /// Reads the next turn. Blocking reads happen off the cooperative pool.
    func next(prompt: String) async -> InputEvent
}
