public import ConversationCore
public import LLMClients
import Safeguards
#if canImport(Glibc)
import Glibc
#endif

/// The read, append, call, append loop.
///
/// Reads a turn, appends it to the conversation, sends the view of the conversation that fits the
/// model's window, streams the answer to the terminal through the sanitizer as it arrives, and
/// appends the answer. A failed turn leaves the conversation valid: a partial answer is kept and
/// marked as interrupted, and the next turn works.
public final class ChatSession: @unchecked Sendable {
    public struct Options: Sendable {
        public var provider: Provider
        public var model: String
        public var maxTokens: Int
        public var contextWindow: Int
        public var temperature: Double?
        /// The role the system prompt came from, for the banner and the journal (`nil` for --system).
        public var role: String?
        /// Whether the analyst set the answer limit; if not, it is sized to the window.
        public var maxTokensChosen: Bool
        /// The lifetime of Anthropic cache entries (`--cache-ttl 5m|1h`).
        public var cacheTTL: PromptCaching.TTL
        /// Whether requests carry prompt-caching hints and views keep their cut between turns
        /// (off only to measure the naive view).
        public var promptCaching: Bool
        /// The truncation low-water mark as a fraction of the budget (`nil`: ``ContextBudget/defaultLowWaterFraction``).
        public var lowWaterFraction: Double?

        public init(
            provider: Provider = .local, model: String, maxTokens: Int, contextWindow: Int,
            temperature: Double? = nil, role: String? = nil, maxTokensChosen: Bool = true,
            cacheTTL: PromptCaching.TTL = .fiveMinutes, promptCaching: Bool = true, lowWaterFraction: Double? = nil
        ) {
            self.maxTokensChosen = maxTokensChosen
            self.provider = provider
            self.model = model
            self.maxTokens = maxTokens
            self.contextWindow = contextWindow
            self.temperature = temperature
            self.role = role
            self.cacheTTL = cacheTTL
            self.promptCaching = promptCaching
            self.lowWaterFraction = lowWaterFraction
        }
    }

    public internal(set) var conversation: Conversation
    public var options: Options
    let client: any LLMClient
    let input: any InputSource
    let output: TerminalOutput
    let errors: TerminalOutput
    public internal(set) var estimator: TokenEstimator
    let interrupts: InterruptMonitor?
    let roles: RoleLibrary?
    /// Redaction and fencing of what leaves the machine.
    public var outbound: OutboundFilter
    /// The session journal (nothing typed is lost), and the store it lives in.
    public var journal: SessionJournal?
    public var sessions: SessionStore?
    /// The server's answer about the context window, asked without holding up the first prompt
    /// (``ContextWindowProbe`` says when); settled before the first turn or command.
    public var contextWindowProbe: ContextWindowProbe?
    /// The embedded llama.cpp server, when this session started or reused one: started again if it dies.
    public var localServer: LocalModelServer?
    /// The endpoint a journal records for this session (`nil` for the embedded server, whose port
    /// changes): a `/new` journal starts with it, so its `--resume` goes to the same place.
    public var journaledBaseURL: String?
    /// A journal line could not be written (reported once).
    var journalFailed = false
    /// A flush of the journal failed (reported once; the lines are written regardless).
    var journalSyncFailed = false
    /// Answers as the model sent them, or rendered Markdown (a terminal without `--plain`).
    public var answerRendering: AnswerRendering = .plain
    /// What the session's answers used, for `/tokens`.
    public internal(set) var usage = SessionUsage()
    /// A key that stays the same for the whole session, a resumed one included (OpenAI
    /// `prompt_cache_key`, which routes the session's requests to the same cache): derived one way
    /// from the journaled fence key, so it names the case without revealing the key.
    var cacheSessionKey: String {
        "incident-repl-" + String(Digest.sha256Hex(Array("prompt-cache-key:\(outbound.fenceKey)".utf8)).prefix(16))
    }
    /// When the summariser may try again after a failure.
    var summaryBackoff = SummaryBackoff()
    /// Turns that failed; a scripted run exits non-zero if any did.
    public internal(set) var failedTurns = 0
    var shouldQuit = false
    /// The last context notice shown, so an unchanged one is not repeated every turn.
    var lastNotice: String?
    /// Evidence files waiting for the next question, and those sent (`/file`, `--file`).
    public internal(set) var evidence = EvidenceLedger()

    public init(
        conversation: Conversation, options: Options, client: any LLMClient, input: any InputSource,
        output: TerminalOutput, errors: TerminalOutput, interrupts: InterruptMonitor? = nil,
        outbound: OutboundFilter = OutboundFilter(), roles: RoleLibrary? = nil
    ) {
        self.conversation = conversation
        self.options = options
        self.client = client
        self.input = input
        self.output = output
        self.errors = errors
        self.interrupts = interrupts
        self.outbound = outbound
        self.roles = roles
        estimator = TokenEstimator(key: TokenEstimator.key(provider: options.provider.rawValue, model: options.model))
    }

    var budget: ContextBudget {
        ContextBudget(contextWindow: options.contextWindow, reservedForAnswer: options.maxTokens,
                      lowWaterFraction: options.lowWaterFraction)
    }

    /// Runs until `quit`, `exit`, Ctrl-D or the end of the transcript.
    public func run() async {
        // \u{1}…\u{2} tell libedit that the colour codes take no room on screen.
        let prompt = output.usesColor ? "\u{1}\u{1B}[1;36m\u{2}ir>\u{1}\u{1B}[0m\u{2} " : "ir> "
        while !shouldQuit {
            let event = await input.next(prompt: input.isScripted ? "" : prompt)
            switch event {
            case .endOfInput:
                if !input.isScripted { output.write("\n") }
                await finishJournal()
                return
            case .interrupt:
                output.write("^C\n")
                errors.write(errors.dim("(line cleared; type quit or press Ctrl-D to leave)") + "\n")
            case .cancelled(let notice):
                errors.write(errors.dim(notice) + "\n")
            case .line(let line):
                let text = line.trimmingSpaces()
                if text.isEmpty { continue }
                if Self.isQuitWord(text) {
                    echo(line)
                    await finishJournal()
                    return
                }
                if Self.isCommand(text) {
                    echo(line)
                    await perform(command: text)
                } else {
                    await ask(line)
                }
            }
            if interrupts?.quitRequested == true { break }
        }
        await finishJournal()
    }

    /// Waits until the journal is on disk, and reports a flush that failed meanwhile.
    func finishJournal() async {
        warnAboutUnsentEvidence()
        guard let journal else { return }
        await journal.waitUntilDurable()
        reportSyncFailure(of: journal)
    }

    /// `quit` or `exit`, in any case.
    static func isQuitWord(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower == "quit" || lower == "exit"
    }

    /// Whether a line is a command: one line starting with `/` whose first word is a known command,
    /// or a `/word` that does not look like a path (no second `/`, no `.`). Anything else
    /// (`/var/log/auth.log shows 40 failed logins`) is a question.
    static func isCommand(_ text: String) -> Bool {
        guard text.hasPrefix("/"), !text.contains("\n") else { return false }
        let word = String(text.prefix { $0 != " " && $0 != "\t" })
        if commands.contains(where: { $0.name == word }) { return true }
        return !word.dropFirst().contains("/") && !word.contains(".")
    }

    /// One exchange: append the question, stream the answer, append it.
    public func ask(_ typed: String) async {
        // Invisible characters (tag-character instructions, zero-width and bidi marks…) are made
        // visible before anything is kept or sent: the model reads what the analyst can see.
        let question = revealed(typed)
        guard appendQuestion(question) else { return }  // with any staged evidence (ChatSession+Evidence)
        echo(question)  // after the journal: whatever the transcript shows as asked is on disk
        await answerPendingQuestionCancellably()
    }

    /// ``answerPendingQuestion()`` with Ctrl-C armed for the whole turn: during the waits before the
    /// answer streams (the context-window probe, a summary, an exact token count) it cancels the
    /// turn; while the answer streams, ``stream(_:)`` arms its own, innermost, cancellation.
    func answerPendingQuestionCancellably() async {
        let turn = Task { await self.answerPendingQuestion() }
        interrupts?.arm { turn.cancel() }
        await turn.value
        interrupts?.disarm()
    }

    /// In a scripted transcript, repeats the input so stdout reads as a transcript.
    func echo(_ line: String) {
        guard input.isScripted else { return }
        output.write("You: ")
        output.writeUntrusted(line)
        output.finishUntrusted()
        output.write("\n")
    }
}
