import Safeguards
import Testing

@Suite("OutputSanitizer performance")
struct OutputSanitizerPerformanceTests {
    /// Small deltas as a model streams them: mostly clean, one in 64 carrying a control.
    static let deltas: [String] = (0..<1024).map { index in
        let words = ["The ", "attacker ", "ran ", "powershell.exe -enc ", "from 10.0.0.5, ", "then ", "cleared ", "logs.\n"]
        var delta = words[index % words.count] + String(index % 97)
        if index % 64 == 0 { delta += "\u{1B}[2J" }
        return delta
    }

    @Test("Streaming small deltas sustains the benchmark rate")
    func streamingIsFast() {
        var sanitizer = OutputSanitizer()
        var bytes = 0
        let rounds = 500
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<rounds {
                for delta in Self.deltas { bytes &+= sanitizer.sanitize(delta).utf8.count }
            }
        }
        let count = rounds * Self.deltas.count
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        print("OutputSanitizer: \(count) deltas (\(bytes) bytes out) in \(elapsed): \(Int(rate)) deltas/s")
        // The product target is 500,000 deltas/s in a release build; this debug-build floor keeps the
        // test meaningful on a shared 2-core machine without being flaky.
        #expect(rate > 200_000)
    }

    @Test("Clean deltas are returned as the same string")
    func cleanDeltaIsReturnedAsIs() {
        var sanitizer = OutputSanitizer()
        let delta = "a clean delta of some length that is not a small string"
        let output = sanitizer.sanitize(delta)
        #expect(output == delta)
        // Same storage: no copy was made.
        let same = output.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
            == delta.utf8.withContiguousStorageIfAvailable { $0.baseAddress }
        #expect(same)
    }
}
