/// One line of rendered output: styled spans of sanitized text, to be printed followed by a line feed.
public struct DisplayLine: Sendable, Equatable {
    /// A run of text in one style.
    public struct Span: Sendable, Equatable {
        public var text: String
        public var style: SpanStyle

        public init(_ text: String, _ style: SpanStyle = []) {
            self.text = text
            self.style = style
        }
    }

    public var spans: [Span]

    public init(_ spans: [Span] = []) {
        self.spans = spans
    }

    /// A line of one span.
    public init(_ text: String, _ style: SpanStyle = []) {
        spans = text.isEmpty ? [] : [Span(text, style)]
    }

    /// The text without styles (what a terminal without attributes shows).
    public var text: String {
        spans.map(\.text).joined()
    }

    /// The columns the line takes on screen.
    public var width: Int {
        spans.reduce(0) { $0 + DisplayWidth.columns(of: $1.text) }
    }

    /// The text with each styled span written `{b,i:text}`: for golden tests and debugging.
    public var markup: String {
        spans.map { span in
            if span.style.isEmpty { return span.text }
            let names = SpanStyle.names.filter { span.style.contains($0.0) }.map(\.1).joined(separator: ",")
            return "{\(names):\(span.text)}"
        }.joined()
    }

    /// Appends a span, merging it into the last one when the style is the same.
    mutating func append(_ text: String, _ style: SpanStyle) {
        guard !text.isEmpty else { return }
        if let last = spans.indices.last, spans[last].style == style {
            spans[last].text += text
        } else {
            spans.append(Span(text, style))
        }
    }

    mutating func append(contentsOf line: DisplayLine) {
        for span in line.spans { append(span.text, span.style) }
    }
}
