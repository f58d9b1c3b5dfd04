import Synchronization

/// A spinner with elapsed time, on the terminal's status line, until the first token arrives.
final class Spinner: Sendable {
    private let task: Mutex<Task<Void, Never>?>
    private let output: TerminalOutput

    init(output: TerminalOutput) {
        self.output = output
        let started = ContinuousClock.now
        task = Mutex(Task {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
            var index = 0
            while !Task.isCancelled {
                let elapsed = ChatSession.seconds(ContinuousClock.now - started)
                output.write(TerminalText(.lineStart) + output.dim("\(frames[index % frames.count]) \(elapsed) s")
                    + TerminalText(.clearToEndOfLine))
                index += 1
                try? await Task.sleep(for: .milliseconds(100))
            }
        })
    }

    /// Stops and clears the spinner; safe to call more than once.
    func stop() {
        guard let running = task.withLock({ task -> Task<Void, Never>? in defer { task = nil }; return task }) else { return }
        running.cancel()
        output.write(TerminalText(.lineStart) + TerminalText(.clearToEndOfLine))
    }
}
