/// Keeping the embedded llama.cpp server alive for the session.
extension ChatSession {
    /// Starts the embedded server again if it has died (crashed, out of memory, killed by someone),
    /// saying so in one line; the question waiting to be sent is not lost.
    /// - Returns: whether the server was started again.
    func restartLocalServerIfStopped() async -> Bool {
        guard let server = localServer, !server.isRunning else { return false }
        errors.write(errors.dim("the local model server stopped; starting it again…") + "\n")
        do {
            return try await server.ensureRunning()
        } catch is CancellationError {
            return false  // Ctrl-C: the turn says it stopped; the next one starts the server again
        } catch {
            errors.write(errors.red("error: "))
            errors.writeUntrustedLine("\(error)")
            return false
        }
    }
}
