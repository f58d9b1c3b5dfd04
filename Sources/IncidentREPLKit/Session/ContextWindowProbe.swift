import Synchronization

/// Asks the server for the model's context window once, without holding up the prompt.
///
/// At a terminal the question goes out at launch, while the analyst types (loading libcurl and one
/// round trip are hidden behind the typing). For a piped transcript, whose first line is already
/// there, it goes out when the first turn needs it: started at launch it would only compete with
/// the start-up (the dynamic loader's lock, the second core) and the first turn would wait anyway.
public final class ContextWindowProbe: Sendable {
    private let ask: @Sendable () async -> Int?
    private let task = Mutex<Task<Int?, Never>?>(nil)

    /// - Parameters:
    ///   - startingNow: Send the question at once rather than at the first ``value()``.
    ///   - ask: The question; `nil` if the server does not say.
    public init(startingNow: Bool, ask: @escaping @Sendable () async -> Int?) {
        self.ask = ask
        if startingNow { _ = started() }
    }

    /// The server's answer, waiting for it (and asking first, if nobody has yet).
    public func value() async -> Int? {
        // A cancelled wait (Ctrl-C while the turn waits on the server) stops the question too.
        let running = started()
        return await withTaskCancellationHandler { await running.value } onCancel: { running.cancel() }
    }

    /// Stops a question still in flight and waits for it to end (before the process exits, so no
    /// thread is left inside libcurl); does nothing if it was never asked.
    public func cancel() async {
        guard let running = task.withLock({ $0 }) else { return }
        running.cancel()
        _ = await running.value
    }

    private func started() -> Task<Int?, Never> {
        task.withLock { task in
            if let task { return task }
            let ask = self.ask
            let started = Task { await ask() }
            task = started
            return started
        }
    }
}
