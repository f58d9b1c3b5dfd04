/// Context windows of well-known models, for when the server cannot say.
enum ModelContextWindows {
    static func lookup(_ model: String) -> Int? {
        let name = model.lowercased()
        if name.hasPrefix("claude") { return 200_000 }
        if name.hasPrefix("gpt-4o") || name.hasPrefix("gpt-4-turbo") { return 128_000 }
        if name.hasPrefix("gpt-4.1") { return 1_047_576 }
        if name.hasPrefix("gemini") { return 1_048_576 }
        if name.contains("smollm2") { return 8192 }
        return nil
    }
}
