#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Testing

/// Only a server that this user started is trusted with the case: a recorded port is checked.
@Suite("Whose local model server it is")
struct LocalServerOwnershipTests {
    let settings = LocalModelSettings(contextSize: 8192)
    /// For the cases where the server does answer: timeouts no loaded machine reaches, so that only
    /// the behaviour decides (the silent-listener case keeps the product's short ones).
    let patient = CurlTransport(options: TransportOptions(connectTimeout: .seconds(60), stallTimeout: .seconds(60)))

    func record(port: String) -> ServerRecord {
        ServerRecord(pid: getpid(), port: Int(port.split(separator: ":").last ?? "") ?? 0, token: ServerRecord.makeToken(),
                     modelPath: nil, contextSize: 8192)
    }

    @Test func aListenerThatNeverAnswersIsNotOursAndIsGivenUpOnWithinSeconds() async throws {
        let silent = try LoopbackServer(handler: { _ in Reply(delayBeforeHead: .seconds(600)) })
        defer { silent.stop() }
        let started = ContinuousClock.now
        let ours = await LocalModelServer.isOurs(record(port: silent.baseURL), settings: settings)
        #expect(!ours)
        // The probe gives up after seconds (3 s alone on this machine); a chat's stall timeout is
        // 120 s. The bound sits between the two, loose enough for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aServerThatAcceptsAnyTokenIsNotOurs() async throws {
        let props = #"{"default_generation_settings":{"n_ctx":8192},"model_path":"/x/SmolLM2-135M-Instruct.Q4_1.gguf","total_slots":2}"#
        let impostor = try LoopbackServer(handler: { _ in .json(props) })
        defer { impostor.stop() }
        #expect(await !LocalModelServer.isOurs(record(port: impostor.baseURL), settings: settings, transport: patient))
    }

    /// A server that answers `/props` with `props` to the bearer of the record's token and 401 to anyone else.
    func tokenCheckingServer(props: String) throws -> (server: LoopbackServer, record: ServerRecord) {
        let token = ServerRecord.makeToken()
        let server = try LoopbackServer(handler: { request in
            request.header("authorization") == "Bearer \(token)" ? .json(props) : .json(#"{"error":"no"}"#, status: 401)
        })
        var recorded = record(port: server.baseURL)
        recorded.token = token
        return (server, recorded)
    }

    @Test func aServerThatChecksTheRecordedTokenIsOurs() async throws {
        let props = #"{"default_generation_settings":{"n_ctx":8192},"model_path":"/x/SmolLM2-135M-Instruct.Q4_1.gguf","total_slots":2}"#
        let (server, recorded) = try tokenCheckingServer(props: props)
        defer { server.stop() }
        #expect(await LocalModelServer.isOurs(recorded, settings: settings, transport: patient))
        // The same server at another context size, or for another model file, is not the one asked for.
        #expect(await !LocalModelServer.isOurs(recorded, settings: LocalModelSettings(contextSize: 512)))
        #expect(await !LocalModelServer.isOurs(recorded, settings: LocalModelSettings(modelPath: "/models/qwen.gguf")))
    }

    @Test func aServerWithOneSlotIsNotReused() async throws {
        // Started by an incident-repl from before the summariser's slot: every summary would evict
        // the conversation's cache there, so a server of the launcher's own is started instead.
        let props = #"{"default_generation_settings":{"n_ctx":8192},"model_path":"/x/SmolLM2-135M-Instruct.Q4_1.gguf","total_slots":1}"#
        let (server, recorded) = try tokenCheckingServer(props: props)
        defer { server.stop() }
        #expect(await !LocalModelServer.isOurs(recorded, settings: settings, transport: patient))
    }

    @Test func aRecordWhoseProcessIsGoneIsNotOurs() async throws {
        var recorded = record(port: "http://127.0.0.1:1")
        recorded.pid = Int32.max - 1
        #expect(await !LocalModelServer.isOurs(recorded, settings: settings))
    }

    @Test func aModelFileThatIsNotGGUFIsRefusedClearly() throws {
        let path = "/tmp/not-a-model-\(getpid()).bin"
        FILE_write(path, "PK\u{3}\u{4}zip")
        defer { unlink(path) }
        #expect(throws: REPLError.self) { try LocalModelServer.checkModelFile(path) }
        #expect(throws: REPLError.self) { try LocalModelServer.checkModelFile("/nonexistent/model.gguf") }
    }

    private func FILE_write(_ path: String, _ text: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var bytes = Array(text.utf8)
        _ = write(fd, &bytes, bytes.count)
        close(fd)
    }

    @Test func settingsNameTheModelAndDifferInTheirKey() {
        let custom = LocalModelSettings(modelPath: "/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf")
        #expect(custom.modelAlias == "qwen2.5-7b-instruct-q4_k_m")
        #expect(custom.modelFileName == "Qwen2.5-7B-Instruct-Q4_K_M.gguf")
        #expect(LocalModelSettings().modelAlias == "smollm2-135m-instruct")
        #expect(LocalModelSettings(contextSize: 512).key != LocalModelSettings(contextSize: 8192).key)
        #expect(LocalModelSettings().key == LocalModelSettings().key)
    }
}
