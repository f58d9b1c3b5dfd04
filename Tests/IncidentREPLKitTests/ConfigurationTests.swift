import Foundation
@testable import IncidentREPLKit
import LLMClients
import Testing

@Suite("Provider settings and the config file")
struct ConfigurationTests {
    func temporaryFile(_ text: String, mode: mode_t) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).toml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return path
    }

    @Test func theLocalModelIsTheDefaultEvenWithCloudKeysInTheEnvironment() throws {
        let settings = try ProviderSettings.resolve(
            provider: nil, model: nil, baseURL: nil, allowInsecureHTTP: false,
            environment: ["ANTHROPIC_API_KEY": "sk-ant-x", "OPENAI_API_KEY": "sk-x", "GEMINI_API_KEY": "AIza-x"]
        )
        #expect(settings.provider == .local)
    }

    @Test func aMissingKeyNamesTheVariable() {
        #expect(throws: LLMClientError.self) {
            try ProviderSettings.resolve(provider: "anthropic", model: nil, baseURL: nil, allowInsecureHTTP: false, environment: [:])
        }
        do {
            _ = try ProviderSettings.resolve(provider: "openai", model: nil, baseURL: nil, allowInsecureHTTP: false, environment: [:])
        } catch {
            #expect("\(error)".contains("OPENAI_API_KEY"))
        }
    }

    @Test func readsTheSDKEnvironmentVariables() throws {
        let anthropic = try ProviderSettings.resolve(
            provider: "anthropic", model: nil, baseURL: nil, allowInsecureHTTP: false,
            environment: ["ANTHROPIC_API_KEY": "k", "ANTHROPIC_BASE_URL": "https://proxy.example.com"]
        )
        #expect(anthropic.baseURL == "https://proxy.example.com")
        #expect(anthropic.model == "claude-sonnet-4-5")
        let gemini = try ProviderSettings.resolve(
            provider: "gemini", model: nil, baseURL: nil, allowInsecureHTTP: false,
            environment: ["GEMINI_API_KEY": "a", "GOOGLE_API_KEY": "b"]
        )
        #expect(gemini.apiKey == "b")  // GOOGLE_API_KEY wins, as in the SDK
        let ollama = try ProviderSettings.resolve(
            provider: "ollama", model: nil, baseURL: nil, allowInsecureHTTP: false, environment: ["OLLAMA_HOST": "127.0.0.1:9999"]
        )
        #expect(ollama.baseURL == "http://127.0.0.1:9999")
    }

    @Test func refusesPlainHTTPToAHostThatIsNotLoopbackUnlessAllowed() throws {
        #expect(throws: LLMClientError.insecureEndpoint(url: "http://10.1.2.3:8080/v1")) {
            try ProviderSettings.resolve(provider: "openai", model: nil, baseURL: "http://10.1.2.3:8080/v1",
                                         allowInsecureHTTP: false, environment: ["OPENAI_API_KEY": "k"])
        }
        let allowed = try ProviderSettings.resolve(provider: "openai", model: nil, baseURL: "http://10.1.2.3:8080/v1",
                                                   allowInsecureHTTP: true, environment: ["OPENAI_API_KEY": "k"])
        #expect(allowed.baseURL == "http://10.1.2.3:8080/v1")
        #expect(ProviderSettings.isLoopback("http://127.0.0.1:8231/v1"))
        #expect(ProviderSettings.isLoopback("http://[::1]:8080"))
        #expect(ProviderSettings.isLoopback("http://localhost"))
        #expect(ProviderSettings.isLoopback("https://user:pw@127.8.9.10:1/x"))
        #expect(!ProviderSettings.isLoopback("http://127.0.0.1.evil.example/v1"))
        #expect(!ProviderSettings.isLoopback("http://localhost.evil.example"))
        #expect(!ProviderSettings.isLoopback("https://api.openai.com/v1"))
    }

    @Test func theConfigFileChoosesTheProviderAndModelButFlagsAndEnvironmentWin() throws {
        let path = try temporaryFile("""
        # incident-repl settings
        provider = "anthropic"   # my choice

        [anthropic]
        model = "claude-opus-4"
        api_key = "sk-ant-from-file"

        [ollama]
        base_url = "http://127.0.0.1:11500"
        """, mode: 0o600)
        defer { unlink(path) }
        let config = try #require(try ConfigFile.load(path: path))
        let fromFile = try ProviderSettings.resolve(provider: nil, model: nil, baseURL: nil, allowInsecureHTTP: false,
                                                    environment: [:], config: config)
        #expect(fromFile.provider == .anthropic)
        #expect(fromFile.model == "claude-opus-4")
        #expect(fromFile.apiKey == "sk-ant-from-file")
        let envWins = try ProviderSettings.resolve(provider: nil, model: nil, baseURL: nil, allowInsecureHTTP: false,
                                                   environment: ["ANTHROPIC_API_KEY": "sk-env", "INCIDENT_REPL_PROVIDER": "ollama"],
                                                   config: config)
        #expect(envWins.provider == .ollama)
        #expect(envWins.baseURL == "http://127.0.0.1:11500")
        let flagWins = try ProviderSettings.resolve(provider: "anthropic", model: "claude-haiku-4-5", baseURL: nil,
                                                    allowInsecureHTTP: false, environment: ["ANTHROPIC_API_KEY": "sk-env"], config: config)
        #expect(flagWins.model == "claude-haiku-4-5")
        #expect(flagWins.apiKey == "sk-env")
    }

    @Test func refusesAConfigFileWithAKeyThatOthersCanRead() throws {
        let path = try temporaryFile("[openai]\napi_key = \"sk-loose\"\n", mode: 0o644)
        defer { unlink(path) }
        do {
            _ = try ConfigFile.load(path: path)
            Issue.record("a 0644 file holding a key was accepted")
        } catch {
            let message = "\(error)"
            #expect(message.contains(path))
            #expect(message.contains("chmod 600"))
            #expect(!message.contains("sk-loose"))
        }
        chmod(path, 0o600)
        #expect(try ConfigFile.load(path: path)?.holdsKeys == true)
    }

    @Test func acceptsAReadableConfigFileWithoutKeys() throws {
        let path = try temporaryFile("provider = \"ollama\"\n[ollama]\nmodel = \"llama3.2\"\n", mode: 0o644)
        defer { unlink(path) }
        #expect(try ConfigFile.load(path: path)?.value("provider")?.string == "ollama")
    }

    @Test func reportsSyntaxErrorsWithTheLineNumber() {
        for (text, line) in [("provider = anthropic", 1), ("[ok]\nmodel = \"x\"\nmodel = \"y\"", 3), ("[broken", 1), ("\n\nkey", 3)] {
            do {
                _ = try ConfigFile.parse(text, path: "c.toml")
                Issue.record("accepted: \(text)")
            } catch {
                #expect("\(error)".contains("c.toml:\(line):"), "\(error)")
            }
        }
    }

    @Test func aMissingConfigFileIsNoConfig() throws {
        #expect(try ConfigFile.load(path: "/nonexistent/incident-repl/config.toml") == nil)
    }
}

/// The embedded server's settings from flags and the config file's `[local]` table.
@Suite("Local model settings")
struct LocalModelSettingsTests {
    @Test func theConfigFilesLocalTableSetsTheModelAndSamplingAndFlagsWin() throws {
        let config = try ConfigFile.parse("""
            [local]
            model_path = "/models/qwen.gguf"
            repeat_penalty = 1.2
            dry_multiplier = 0
            """, path: "/tmp/config.toml")
        var configuration = REPLConfiguration()
        var settings = try REPLApp.localModelSettings(configuration, config: config)
        #expect(settings.modelPath == "/models/qwen.gguf")
        #expect(settings.repeatPenalty == 1.2)
        #expect(settings.dryMultiplier == 0)
        configuration.localModel = "/models/other.gguf"
        configuration.repeatPenalty = 1.05
        settings = try REPLApp.localModelSettings(configuration, config: config)
        #expect(settings.modelPath == "/models/other.gguf")
        #expect(settings.repeatPenalty == 1.05)
    }

    @Test func withoutSettingsTheDefaultsStopRepetitionLoops() throws {
        let settings = try REPLApp.localModelSettings(REPLConfiguration(), config: nil)
        #expect(settings.modelPath == nil)
        #expect(settings.repeatPenalty > 1)
        #expect(settings.dryMultiplier > 0)
    }

    @Test func anUnknownProviderSaysWhereItCameFrom() throws {
        #expect(throws: REPLError.unknownProvider("antropic", source: "INCIDENT_REPL_PROVIDER")) {
            try ProviderSettings.resolve(provider: nil, model: nil, baseURL: nil, allowInsecureHTTP: false,
                                         environment: ["INCIDENT_REPL_PROVIDER": "antropic"])
        }
        let config = try ConfigFile.parse("provider = \"opnai\"\n", path: "/home/a/.config/incident-repl/config.toml")
        #expect(throws: REPLError.unknownProvider("opnai", source: "provider in /home/a/.config/incident-repl/config.toml")) {
            try ProviderSettings.resolve(provider: nil, model: nil, baseURL: nil, allowInsecureHTTP: false,
                                         environment: [:], config: config)
        }
    }

    @Test func theDefaultAnswerReserveLeavesRoomInASmallWindow() {
        #expect(ChatSession.defaultAnswerReserve(contextWindow: 1100) == 275)
        #expect(ChatSession.defaultAnswerReserve(contextWindow: 8192) == 1024)
        #expect(ChatSession.defaultAnswerReserve(contextWindow: 200_000) == 1024)
    }
}
