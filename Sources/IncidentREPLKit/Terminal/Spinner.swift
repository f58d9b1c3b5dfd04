import ConversationCore
import Synchronization

/// A spinner with elapsed time, on the terminal's status line, until the first token arrives;
/// with how far the server is in reading the prompt, when it says.
final class Spinner: Sendable {
    private let task: Mutex<Task<Void, Never>?>
    private let output: TerminalOutput
    private let progress = Line()

    /// The text after the elapsed time, shared with the drawing task.
    private final class Line: Sendable {
        let text = Mutex("")
    }

    init(output: TerminalOutput) {
        self.output = output
        let started = ContinuousClock.now
        let progress = self.progress
        task = Mutex(Task {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"]
            var index = 0
            while !Task.isCancelled {
                let elapsed = ChatSession.seconds(ContinuousClock.now - started)
                let reading = progress.text.withLock { $0 }
                output.write(TerminalText(.lineStart) + output.dim("\(frames[index % frames.count]) \(elapsed) s\(reading)")
                    + TerminalText(.clearToEndOfLine))
                index += 1
                try? await Task.sleep(for: .milliseconds(100))
            }
        })
    }

    /// Shows how much of the prompt the server has read.
    func showPromptProgress(processed: Int, total: Int) {
        let percent = total > 0 ? processed * 100 / total : 0
        progress.text.withLock { $0 = " · reading the prompt: \(processed.grouped) of \(total.grouped) tokens (\(percent)%)" }
    }

    /// Stops and clears the spinner; safe to call more than once.
    func stop() {
        guard let running = task.withLock({ task -> Task<Void, Never>? in defer { task = nil }; return task }) else { return }
        running.cancel()
        output.write(TerminalText(.lineStart) + TerminalText(.clearToEndOfLine))
    }
}
