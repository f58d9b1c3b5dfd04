/// How a piece of a rendered line looks: a set of attributes the terminal maps to its fixed table of
/// styles (``TerminalText/Style``). The renderer never emits escape sequences itself.
public struct SpanStyle: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public static let bold = SpanStyle(rawValue: 1 << 0)
    public static let italic = SpanStyle(rawValue: 1 << 1)
    /// Inline code (`` `x` ``).
    public static let code = SpanStyle(rawValue: 1 << 2)
    /// A link's text.
    public static let link = SpanStyle(rawValue: 1 << 3)
    /// A heading's text.
    public static let heading = SpanStyle(rawValue: 1 << 4)
    /// Structure drawn by the renderer: bullets' quote bars, rules, code block labels, link targets.
    public static let dim = SpanStyle(rawValue: 1 << 5)
    /// A line of a fenced code block (printed exactly as written).
    public static let codeBlock = SpanStyle(rawValue: 1 << 6)

    /// The names used in ``DisplayLine/markup`` (golden tests).
    static let names: [(SpanStyle, String)] = [
        (.bold, "b"), (.italic, "i"), (.code, "c"), (.link, "a"), (.heading, "h"), (.dim, "d"), (.codeBlock, "pre"),
    ]
}
