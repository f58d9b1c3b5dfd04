// Foundation is used here only to exercise Codable through a real JSON encoder, as the
// session journal will; the ConversationCore module itself does not import it.
import Foundation

enum JSONRoundTrip {
    static func roundTrip<Value: Codable>(_ value: Value) throws -> Value {
        try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
    }
}
