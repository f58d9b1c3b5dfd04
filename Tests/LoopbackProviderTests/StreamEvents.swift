import LoopbackProvider

/// One parsed SSE event: its `event:` name (if any) and joined `data:` lines.
struct StreamEvent: Equatable {
    var name: String?
    var data: String
    /// The data parsed as JSON (nil for `[DONE]` or malformed data).
    var json: JSONValue? { JSONValue.parse(data) }
}

/// Splits an SSE body into events (blank-line separated).
func parseServerSentEvents(_ text: String) -> [StreamEvent] {
    var events: [StreamEvent] = []
    var name: String?
    var data: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.isEmpty {
            if name != nil || !data.isEmpty { events.append(StreamEvent(name: name, data: data.joined(separator: "\n"))) }
            name = nil
            data = []
        } else if line.hasPrefix("event:") {
            name = String(line.dropFirst(6)).trimmingCharacters(" ")
        } else if line.hasPrefix("data:") {
            data.append(String(line.dropFirst(5)).trimmingCharacters(" "))
        }
    }
    if name != nil || !data.isEmpty { events.append(StreamEvent(name: name, data: data.joined(separator: "\n"))) }
    return events
}

/// Splits an NDJSON body into parsed lines (nil for a line that is not JSON).
func parseNDJSON(_ text: String) -> [JSONValue?] {
    text.split(separator: "\n").map { JSONValue.parse(String($0)) }
}
