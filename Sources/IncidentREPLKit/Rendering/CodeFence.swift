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

    /// The fence `line` opens, or nil when it is not an opening fence.
    public init?(opening line: some StringProtocol) {
        // Most lines are not fences: answer that without copying the line.
        guard let first = line.utf8.first(where: { $0 != UInt8(ascii: " ") }),
              first == UInt8(ascii: "`") || first == UInt8(ascii: "~") else { return nil }
        let bytes = Array(line.utf8)
        var index = 0
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "`") || bytes[index] == UInt8(ascii: "~") else {
            return nil
        }
        let marker = bytes[index]
        let start = index
        while index < bytes.count, bytes[index] == marker { index += 1 }
        guard index - start >= 3 else { return nil }
        let info = bytes[index...]
        // A backtick fence's info string may not contain a backtick (that is inline code).
        if marker == UInt8(ascii: "`"), info.contains(marker) { return nil }
        character = Character(Unicode.Scalar(marker))
        length = index - start
        indent = start
        let word = info.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
            .prefix { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") && $0 != UInt8(ascii: "{") }
        language = String(decoding: word, as: UTF8.self)
    }

    /// Whether `line` closes this fence.
    public func isClosed(by line: some StringProtocol) -> Bool {
        let marker = UInt8(ascii: character == "`" ? "`" : "~")
        var bytes = Substring(line).utf8[...]
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
