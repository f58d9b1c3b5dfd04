// Temporary pass-through until the real sanitizer and redactor land.
public struct OutputSanitizer: Sendable {
    public init() {}
    public mutating func sanitize(_ delta: String) -> String { delta }
    public mutating func finish() -> String { "" }
    public static func sanitize(_ text: String) -> String { text }
}
