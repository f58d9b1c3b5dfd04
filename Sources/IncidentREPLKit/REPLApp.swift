#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
public import LLMClients
import Safeguards

/// Wires a configuration into a running session: provider, local server, input, output.
public enum REPLApp {
    /// Runs the REPL; returns the process exit status.
    public static func run(_ configuration: REPLConfiguration) async -> Int32 {
        let environment = ProcessInfo.processInfo.environment
        let output = TerminalOutput(descriptor: 1, environment: environment)
        let errors = TerminalOutput(descriptor: 2, environment: environment)
        var localServer: LocalModelServer?
        defer { localServer?.stop() }
        // Stopped before returning, however the session ends, rather than exiting under a thread
        // that may still be inside libcurl.
        var windowProbe: ContextWindowProbe?
        let status: Int32
        do {
            let layout = ProjectLayout.locate(environment: environment)
            let roles = RoleLibrary.standard(layout: layout, environment: environment)
            let systemPrompt = try configuration.system ?? roles.prompt(named: configuration.role)
            let configPath = configuration.configPath ?? environment["INCIDENT_REPL_CONFIG"] ?? ConfigFile.standardPath(environment: environment)
            let config = try ConfigFile.load(path: configPath)
            let store = SessionStore.standard(environment: environment)
            // Evidence named with --file is read (and refused) before anything starts.
            let commandLineEvidence = try configuration.evidencePaths.map { written in
                try EvidenceReader.read(
                    EvidenceRequest.single(written, environment: environment), environment: environment,
                    currentDirectory: FileManager.default.currentDirectoryPath)
            }
            var resumed: ReplayedSession?
            if let request = configuration.resume {
                guard let name = try request ?? store.latest()?.name else {
                    throw REPLError.configuration("no journaled session to resume in \(store.directory)")
                }
                resumed = try store.load(name)
            }
            // A resumed session keeps its provider, model, endpoint and redaction mode unless the
            // command line says otherwise; then the analyst is asked (a transcript is refused).
            let chosenProvider = configuration.provider ?? resumed.map(\.provider)
            let chosenModel = configuration.model ?? (configuration.provider == nil ? resumed.map(\.model) : nil)
            var baseURL = configuration.baseURL
            var redaction = configuration.redaction
            var changedOnResume = false
            if let resumed {
                let choice = ResumeChoice.reconcile(
                    resumed, provider: chosenProvider ?? "local", baseURLFlag: configuration.baseURL,
                    redactionFlag: configuration.redactionFromFlag ? configuration.redaction : nil)
                for note in choice.notes { errors.write(errors.dim("resume: " + OutputSanitizer.sanitize(note)) + "\n") }
                if !choice.conflicts.isEmpty {
                    try confirmResume(resumed.name, conflicts: choice.conflicts, interactive: isatty(0) == 1, errors: errors)
                    changedOnResume = true
                }
                changedOnResume = changedOnResume || !choice.notes.isEmpty
                baseURL = choice.baseURL
                redaction = choice.redaction
            }
            var settings = try ProviderSettings.resolve(
                provider: chosenProvider, model: chosenModel, baseURL: baseURL,
                allowInsecureHTTP: configuration.allowInsecureHTTP, environment: environment, config: config
            )
            // What the journal records as this session's endpoint: not an embedded server's port.
            let journaledBaseURL = settings.provider == .local && settings.baseURL == nil ? nil : settings.baseURL
            let curl = CurlTransport(options: TransportOptions(
                connectTimeout: .milliseconds(Int(configuration.connectTimeout * 1000)),
                stallTimeout: .milliseconds(Int(configuration.stallTimeout * 1000)),
                caBundle: configuration.caBundle
            ))
            let transport: any HTTPTransport = try configuration.auditLog.map { try AuditingTransport(base: curl, path: $0) } ?? curl

            if settings.provider == .local, settings.baseURL == nil {
                let local = try localModelSettings(configuration, config: config)
                let server = try await LocalModelServer.start(
                    layout: layout, settings: local, stateDirectory: StatePaths.stateDirectory(environment: environment)
                ) {
                    errors.write(errors.dim("starting the embedded local model (llama.cpp, \(local.modelFileName))…") + "\n")
                }
                localServer = server
                settings.baseURL = server.baseURL + "/v1"
                settings.apiKey = server.token
                if configuration.model == nil { settings.model = local.modelAlias }
                if !server.startedHere {
                    errors.write(errors.dim("using the local model server this user already runs (pid \(server.pid))") + "\n")
                }
            }
            let shutdown = ShutdownMonitor { [localServer] in localServer?.stop() }
            defer { withExtendedLifetime(shutdown) {} }

            let client = try makeClient(settings: settings, transport: transport, maxRetries: configuration.maxRetries)
            // The first prompt does not wait for libcurl to load or for the server to answer: the
            // session settles the window before the first turn (ContextWindowProbe says when it asks).
            let model = settings.model
            let isScripted = isatty(0) != 1
            windowProbe = configuration.contextWindow == nil
                ? ContextWindowProbe(startingNow: !isScripted) { try? await client.contextWindow(model: model) }
                : nil
            let contextWindow = configuration.contextWindow ?? ModelCatalog.contextWindowOrDefault(for: settings.model)

            let redacting = OutboundFilter(mode: redaction).redacts(endpoint: client.endpoint)
            let window = configuration.contextWindow.map { " · context \($0) tokens" } ?? ""
            let file = localServer.map { " (\($0.settings.modelFileName))" } ?? ""
            errors.write(errors.dim(
                "incident-repl → \(settings.provider) · model \(settings.model)\(file) · \(client.endpoint)\(window)"
                    + " · redaction \(redacting ? "on" : "off")"
            ) + "\n")

            let input: any InputSource = isScripted
                ? ScriptedInput()
                : LineEditor(historyPath: StatePaths.stateDirectory(environment: environment) + "/history",
                             completer: completer(roles: roles.names, sessions: store))
            let strategy = try TruncationStrategy(parsing: configuration.strategy, keepTurns: configuration.keepTurns)
            let interrupts = InterruptMonitor()
            if let editor = input as? LineEditor { interrupts.whenIdle { editor.interruptRead() } }
            let session = ChatSession(
                conversation: Conversation(systemPrompt: systemPrompt, strategy: strategy),
                options: .init(provider: settings.provider, model: settings.model, maxTokens: configuration.maxTokens,
                               contextWindow: contextWindow, temperature: configuration.temperature,
                               role: configuration.system == nil ? configuration.role : nil,
                               maxTokensChosen: configuration.maxTokensChosen, cacheTTL: configuration.cacheTTL),
                client: client, input: input, output: output, errors: errors,
                interrupts: interrupts,
                outbound: OutboundFilter(mode: redaction),
                roles: roles
            )
            session.sessions = store
            session.answerRendering = AnswerRendering.choose(plain: configuration.plain, output: output, environment: environment)
            session.localServer = localServer
            session.journaledBaseURL = journaledBaseURL
            session.contextWindowProbe = windowProbe
            if windowProbe == nil { session.fitAnswerReserveToWindow() }
            if let resumed {
                let (replayed, journal) = try store.resume(resumed.name)
                session.adopt(replayed)
                session.journal = journal
                if settings.provider.rawValue != replayed.provider {
                    // The endpoint recorded below belongs to this provider: record the switch too.
                    session.record { [options = session.options] in
                        try $0.append(.modelChange(provider: options.provider.rawValue, model: options.model))
                    }
                }
                if changedOnResume || replayed.baseURL == nil || replayed.redaction == nil || replayed.fenceKey == nil {
                    // Confirmed changes, or a journal that predates recording them: the next resume
                    // comes back to what this run uses.
                    session.record { [key = session.outbound.fenceKey] in
                        try $0.append(.settingsChange(baseURL: journaledBaseURL, redaction: redaction.rawValue, fenceKey: key))
                    }
                }
                errors.write(errors.dim("resumed session \(resumed.name): \(replayed.messageCount) messages") + "\n")
            } else {
                session.journal = try store.create(named: configuration.sessionName, start: .init(
                    provider: settings.provider.rawValue, model: settings.model, role: session.options.role,
                    systemPrompt: systemPrompt, strategy: strategy.description,
                    baseURL: journaledBaseURL, redaction: redaction.rawValue, fenceKey: session.outbound.fenceKey
                ))
            }
            if !commandLineEvidence.isEmpty {
                await session.settleContextWindow()
                if let refusal = session.stage(commandLineEvidence) { throw REPLError.configuration(refusal) }
            }
            await session.run()
            TerminalMode.restore()
            if !isScripted, let name = session.journal?.name, !session.conversation.messages.isEmpty {
                errors.write(errors.dim("session \(name) is saved; continue it with: incident-repl --resume \(name)") + "\n")
            }
            await session.journal?.waitUntilDurable()
            status = session.failedTurns == 0 ? 0 : 1
        } catch {
            errors.write(errors.red("error: "))
            errors.writeUntrustedLine("\(error)")
            status = 2
        }
        await windowProbe?.cancel()
        return status
    }

    /// The embedded server's settings: flags win over the config file's `[local]` table.
    static func localModelSettings(_ configuration: REPLConfiguration, config: ConfigFile?) throws -> LocalModelSettings {
        func number(_ key: String) -> Double? {
            guard let value = config?.value(key, in: "local") else { return nil }
            return value.double
        }
        var settings = LocalModelSettings(contextSize: configuration.localContextSize)
        settings.modelPath = configuration.localModel ?? config?.value("model_path", in: "local")?.string
        if let path = settings.modelPath, !path.hasPrefix("/") {
            settings.modelPath = FileManager.default.currentDirectoryPath + "/" + path
        }
        settings.repeatPenalty = configuration.repeatPenalty ?? number("repeat_penalty") ?? settings.repeatPenalty
        settings.dryMultiplier = configuration.dryMultiplier ?? number("dry_multiplier") ?? settings.dryMultiplier
        return settings
    }

    /// Says how the flags differ from the resumed session and asks on a terminal; refuses in a
    /// piped transcript (nobody can answer, and the case must not silently go elsewhere).
    static func confirmResume(
        _ name: String, conflicts: [String], interactive: Bool, errors: TerminalOutput,
        readAnswer: () -> String? = { readLine() }
    ) throws {
        let listed = conflicts.map { "  - " + OutputSanitizer.sanitize($0) }.joined(separator: "\n")
        guard interactive else {
            throw REPLError.configuration(
                "refusing to resume \(name) with other settings in a piped transcript:\n\(listed)\n"
                    + "drop those flags to continue as the session was, or start a new session with --session")
        }
        errors.write("resume \(OutputSanitizer.sanitize(name)): the command line differs from the session:\n\(listed)\n"
            + "continue with the command line's settings? [y/N] ")
        let answer = (readAnswer() ?? "").trimmingSpaces().lowercased()
        guard answer == "y" || answer == "yes" else {
            throw REPLError.configuration("resume of \(name) cancelled; drop the flags to continue as the session was")
        }
    }

    /// Tab completion: slash commands, then the arguments some of them take.
    static func completer(roles: [String], sessions: SessionStore) -> LineEditor.Completer {
        let commands = ChatSession.commands.map(\.name)
        return { line, word in
            if line.hasPrefix("/file ") {
                return PathCompleter.candidates(
                    for: word, home: ProcessInfo.processInfo.environment["HOME"],
                    currentDirectory: FileManager.default.currentDirectoryPath)
            }
            if line.hasPrefix("/role ") { return roles }
            if line.hasPrefix("/resume ") { return ((try? sessions.list()) ?? []).map(\.name) }
            if line.hasPrefix("/strategy ") { return ["drop-oldest", "last-n", "summarise"] }
            if line.hasPrefix("/redact ") { return ["on", "off", "auto"] }
            if line.hasPrefix("/"), !line.contains(" ") { return commands }
            return []
        }
    }

    /// The client for a provider.
    public static func makeClient(settings: ProviderSettings, transport: any HTTPTransport, maxRetries: Int) throws -> any LLMClient {
        let policy = RetryPolicy(maxRetries: maxRetries)
        guard let baseURL = settings.baseURL else {
            throw REPLError.configuration("no endpoint for \(settings.provider)")
        }
        switch settings.provider {
        case .local, .openai:
            return OpenAIClient(format: OpenAIFormat(provider: settings.provider, baseURL: baseURL, apiKey: settings.apiKey),
                                transport: transport, retryPolicy: policy)
        case .anthropic:
            return AnthropicClient(format: AnthropicFormat(baseURL: baseURL, apiKey: settings.apiKey),
                                   transport: transport, retryPolicy: policy)
        case .gemini:
            return GeminiClient(format: GeminiFormat(baseURL: baseURL, apiKey: settings.apiKey,
                                                     keyVariable: settings.keyVariable ?? "GEMINI_API_KEY"),
                                transport: transport, retryPolicy: policy)
        case .ollama:
            return OllamaClient(format: OllamaFormat(baseURL: baseURL, apiKey: settings.apiKey),
                                transport: transport, retryPolicy: policy)
        }
    }
}
