/// A Markdown code fence (```` ``` ```` or `~~~`, three or more), as opened by a line.
///
/// Fences may be indented (a model writes code inside a list item indented); the closing fence is
/// the same character, at least as long, with nothing after it but spaces.
public struct CodeFence: Sendable, Equatable {
    /// `` ` `` or `~`.
    public let character: Character
    public let length: Int
    /// The columns of spaces before the fence.
    public let indent: Int
    /// The info string's first word (`kql`, `yaml`), or empty.
    public let language: String

    private init(character: Character, length: Int, indent: Int, language: String) {
        self.character = character
        self.length = length
        self.indent = indent
        self.language = language
    }

    /// The fence `line` opens, or nil when it is not an opening fence.
    public init?(opening line: some StringProtocol) {
        var copy = String(line)
        guard let fence = copy.withUTF8({ Self.opening($0) }) else { return nil }
        self = fence
    }

    /// The fence the UTF-8 `line` opens, or nil when it is not an opening fence.
    static func opening(_ line: UnsafeBufferPointer<UInt8>) -> CodeFence? {
        var index = 0
        while index < line.count, line[index] == UInt8(ascii: " ") { index += 1 }
        // Most lines are not fences.
        guard index < line.count, line[index] == UInt8(ascii: "`") || line[index] == UInt8(ascii: "~") else {
            return nil
        }
        let marker = line[index]
        let start = index
        while index < line.count, line[index] == marker { index += 1 }
        guard index - start >= 3 else { return nil }
        let info = line[index...]
        // A backtick fence's info string may not contain a backtick (that is inline code).
        if marker == UInt8(ascii: "`"), info.contains(marker) { return nil }
        let word = info.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            .prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "{") }
        return CodeFence(
            character: Character(Unicode.Scalar(marker)), length: index - start, indent: start,
            language: String(decoding: word, as: UTF8.self))
    }

    /// Whether `line` closes this fence.
    public func isClosed(by line: some StringProtocol) -> Bool {
        var copy = String(line)
        return copy.withUTF8 { isClosed(by: $0) }
    }

    /// Whether the UTF-8 `line` closes this fence.
    func isClosed(by line: UnsafeBufferPointer<UInt8>) -> Bool {
        let marker = UInt8(ascii: character == "`" ? "`" : "~")
        var bytes = line[...]
        while bytes.first == UInt8(ascii: " ") { bytes = bytes.dropFirst() }
        let run = bytes.prefix { $0 == marker }.count
        guard run >= length else { return false }
        return bytes.dropFirst(run).allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
    }

    /// The line that closes this fence.
    public var closingLine: String {
        String(repeating: " ", count: indent) + String(repeating: character, count: length)
    }
}
