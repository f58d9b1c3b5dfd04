import Foundation
import IncidentREPLKit
import LLMClients

/// One embedded llama.cpp server (SmolLM2-135M) for the whole test run, started through the product's
/// own ``LocalModelServer`` as a private server (a free port, no token). It dies with the test process.
enum SharedLocalModel {
    private static let server = Task { () throws -> LocalModelServer in
        let layout = ProjectLayout.locate(environment: ProcessInfo.processInfo.environment)
            ?? ProjectLayout(root: FileManager.default.currentDirectoryPath)
        return try await LocalModelServer.start(layout: layout, settings: LocalModelSettings(contextSize: 8192), stateDirectory: nil)
    }

    /// The server's root URL, e.g. `http://127.0.0.1:8231`.
    static func baseURL() async throws -> String {
        try await server.value.baseURL
    }
}

/// A small llama.cpp server with its own context size, for truncation tests. Stopped by the caller.
enum DedicatedLocalModel {
    static func start(contextSize: Int) async throws -> (url: String, stop: @Sendable () -> Void) {
        let layout = ProjectLayout.locate(environment: ProcessInfo.processInfo.environment)
            ?? ProjectLayout(root: FileManager.default.currentDirectoryPath)
        let server = try await LocalModelServer.start(
            layout: layout, settings: LocalModelSettings(contextSize: contextSize), stateDirectory: nil)
        return (server.baseURL, { server.stop() })
    }
}
