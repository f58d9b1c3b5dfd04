@testable import IncidentREPLKit

/// A tiny terminal emulator for tests: enough of a VT100 to replay what the answer printer writes
/// (text with autowrap and pending wrap, LF as CR LF as a tty's ONLCR makes it, CR, `ESC [ A`,
/// `ESC [ J`, `ESC [ K`, SGR ignored). Any other escape sequence is recorded as unexpected.
struct ScreenModel {
    let width: Int
    private(set) var rows: [[Character]] = [[]]
    private(set) var row = 0
    private(set) var column = 0
    private(set) var unexpectedSequences: [String] = []
    private(set) var styleSequences: Set<String> = []

    init(width: Int) {
        self.width = width
    }

    /// The screen after `output`, one string per row, trailing spaces and empty trailing rows dropped.
    static func lines(after output: String, width: Int) -> [String] {
        var screen = ScreenModel(width: width)
        screen.feed(output)
        return screen.text
    }

    var text: [String] {
        var lines = rows.map { String($0).replacingTrailingSpaces() }
        while lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    mutating func feed(_ output: String) {
        var scalars = Array(output.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar {
            case "\n":
                row += 1
                column = 0
                ensureRow()
            case "\r":
                column = 0
            case "\t":
                if column < width - 1 { column = min(width - 1, (column / 8 + 1) * 8) }
            case "\u{1B}":
                var sequence = "\u{1B}"
                guard scalars.first == "[" else {
                    unexpectedSequences.append(sequence + String(scalars.prefix(8).map(Character.init)))
                    continue
                }
                sequence.unicodeScalars.append(scalars.removeFirst())
                while let next = scalars.popFirst() {
                    sequence.unicodeScalars.append(next)
                    if (0x40...0x7E).contains(next.value) { break }
                }
                switch sequence.unicodeScalars.last {
                case "A": row = max(0, row - 1)
                case "J":
                    rows[row].removeSubrange(min(column, rows[row].count)...)
                    rows.removeSubrange((row + 1)...)
                case "K": rows[row].removeSubrange(min(column, rows[row].count)...)
                case "m": styleSequences.insert(sequence)
                default: unexpectedSequences.append(sequence)
                }
            default:
                let columns = DisplayWidth.columns(of: scalar)
                if columns == 0 { continue }
                if column + columns > width {
                    row += 1
                    column = 0
                    ensureRow()
                }
                put(Character(scalar))
                if columns == 2 { put("\u{0}") }
            }
        }
    }

    private mutating func ensureRow() {
        while rows.count <= row { rows.append([]) }
    }

    private mutating func put(_ character: Character) {
        ensureRow()
        while rows[row].count < column { rows[row].append(" ") }
        if column < rows[row].count { rows[row][column] = character } else { rows[row].append(character) }
        column += 1
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var text = Substring(String(filter { $0 != "\u{0}" }))
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
