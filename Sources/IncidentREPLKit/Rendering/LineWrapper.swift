/// Word-boundary wrapping of styled text to a width, with a prefix for the first line (a bullet,
/// a quote bar) and another for the lines that follow (the hanging indentation).
enum LineWrapper {
    private enum Piece {
        case space(DisplayLine, Int)
        case word(DisplayLine, Int)
    }

    /// `content` broken at spaces into lines of at most `width` columns (a word longer than a line is
    /// cut). Leading spaces of the content are kept; spaces at a break are dropped.
    static func wrap(
        _ content: DisplayLine, width: Int, firstPrefix: DisplayLine = DisplayLine(), restPrefix: DisplayLine = DisplayLine()
    ) -> [DisplayLine] {
        let width = max(width, 1)
        var lines: [DisplayLine] = []
        var current = firstPrefix
        var column = firstPrefix.width
        var hasWord = false
        var lineStart = firstPrefix.width
        var space = DisplayLine()
        var spaceWidth = 0

        func breakLine() {
            lines.append(current)
            current = restPrefix
            column = restPrefix.width
            lineStart = column
            hasWord = false
            space = DisplayLine()
            spaceWidth = 0
        }

        for piece in pieces(of: content) {
            switch piece {
            case .space(let text, let columns):
                if hasWord || !lines.isEmpty {
                    space.append(contentsOf: text)
                    spaceWidth += columns
                } else {
                    current.append(contentsOf: text)
                    column += columns
                }
            case .word(let word, let columns):
                if hasWord, column + spaceWidth + columns > width { breakLine() }
                if hasWord {
                    current.append(contentsOf: space)
                    column += spaceWidth
                }
                space = DisplayLine()
                spaceWidth = 0
                if column + columns <= width {
                    current.append(contentsOf: word)
                    column += columns
                } else {
                    // Longer than what is left of a fresh line: cut it at character boundaries.
                    for span in word.spans {
                        for character in span.text {
                            let w = DisplayWidth.columns(of: String(character))
                            if column + w > width, column > lineStart {
                                breakLine()
                            }
                            current.append(String(character), span.style)
                            column += w
                            hasWord = true
                        }
                    }
                }
                hasWord = true
            }
        }
        lines.append(current)
        return lines
    }

    /// The content cut into runs of spaces and words (a word may span several styles).
    private static func pieces(of content: DisplayLine) -> [Piece] {
        var pieces: [Piece] = []
        var word = DisplayLine()
        var space = DisplayLine()
        for span in content.spans {
            var start = span.text.startIndex
            var inSpace: Bool? = nil
            var index = span.text.startIndex
            let utf8 = span.text.utf8
            func emit(_ end: String.Index) {
                guard start < end, let isSpace = inSpace else { return }
                let text = String(span.text[start..<end])
                if isSpace {
                    if !word.spans.isEmpty {
                        pieces.append(.word(word, word.width))
                        word = DisplayLine()
                    }
                    space.append(text, span.style)
                } else {
                    if !space.spans.isEmpty {
                        pieces.append(.space(space, space.width))
                        space = DisplayLine()
                    }
                    word.append(text, span.style)
                }
            }
            while index < utf8.endIndex {
                let isSpace = utf8[index] == 0x20
                if isSpace != inSpace {
                    emit(index)
                    start = index
                    inSpace = isSpace
                }
                index = utf8.index(after: index)
            }
            emit(utf8.endIndex)
        }
        if !word.spans.isEmpty { pieces.append(.word(word, word.width)) }
        if !space.spans.isEmpty { pieces.append(.space(space, space.width)) }
        return pieces
    }
}
