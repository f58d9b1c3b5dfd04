@testable import IncidentREPLKit
import LoopbackProvider
import Testing

/// What a line the analyst typed means: a command, a question, a way out; and what a paste becomes.
@Suite("Reading a line")
struct LineInputTests {
    @Test(arguments: ["quit", "QUIT", "Quit", "exit", "EXIT", "Exit"])
    func quitAndExitEndTheSessionInAnyCase(_ word: String) {
        #expect(ChatSession.isQuitWord(word))
    }

    @Test func otherWordsDoNotEndTheSession() {
        #expect(!ChatSession.isQuitWord("quit now"))
        #expect(!ChatSession.isQuitWord("exits"))
    }

    @Test func knownCommandsAndPlainSlashWordsAreCommands() {
        #expect(ChatSession.isCommand("/help"))
        #expect(ChatSession.isCommand("/history 2"))
        #expect(ChatSession.isCommand("/frobnicate"))  // unknown, said so by the dispatcher
    }

    @Test func aMessageThatStartsWithAPathIsAQuestion() {
        #expect(!ChatSession.isCommand("/var/log/auth.log shows 40 failed logins for root"))
        #expect(!ChatSession.isCommand("/etc/passwd was modified at 03:12"))
        #expect(!ChatSession.isCommand("/tmp.x is odd"))
        #expect(!ChatSession.isCommand("/help\nmore lines"))
    }

    @Test func aMultiLinePasteBecomesAnItemThatExpandsToTheText() {
        let paste = "Nov 24 sshd[1]: Failed password\nNov 24 sshd[1]: Accepted password"
        let item = LineEditor.insertion(for: paste)
        #expect(item.hasPrefix("[pasted "))  // numbered from the second paste of a line on
        #expect(item.hasSuffix("2 lines, \(paste.utf8.count) B]"))
        let line = "look: \(item) brute force?"
        #expect(LineEditor.expand(line, pastes: [(item, paste)]) == "look: \(paste) brute force?")
    }

    @Test func aShortSingleLinePasteIsInsertedAsText() {
        #expect(LineEditor.insertion(for: "203.0.113.45") == "203.0.113.45")
    }

    @Test func aPasteWithControlBytesIsAnItemNeverTyped() {
        let item = LineEditor.insertion(for: "a\u{1A}b")
        #expect(item.hasPrefix("[pasted "))
        #expect(item.hasSuffix("1 line, 3 B]"))
    }

    @Test func sizesReadAsAnAnalystWouldSayThem() {
        #expect(LineEditor.size(812) == "812 B")
        #expect(LineEditor.size(1740) == "1.7 KB")
        #expect(LineEditor.size(3_355_443) == "3.2 MB")
    }
}

/// A window the answer limit eats says so up front, and `/tokens` still shows the budget.
@Suite("The budget in a small window")
struct SmallWindowBudgetTests {
    @Test func tokensShowsTheBudgetEvenWhenNothingFits() async throws {
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["x"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/tokens"], server: server, contextWindow: 1100, maxTokens: 1024)
        #expect(run.stdout.contains("budget:   21 of 1,100 (1,024 for the answer, 55 margin)"), "stdout: \(run.stdout)")
        #expect(run.requests.isEmpty)
    }
}
