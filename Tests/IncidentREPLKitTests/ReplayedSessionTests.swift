#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ConversationCore
@testable import IncidentREPLKit
import Testing

@Suite("ReplayedSession")
struct ReplayedSessionTests {
    @Test
    func resumedConversationEqualsTheOriginal() throws {
        let temporary = TemporaryDirectory()
        let store = SessionStore(directory: temporary.path, clock: SteppingClock().function)
        let journal = try store.create(named: "case", start: sampleStart)
        var original = Conversation(systemPrompt: sampleStart.systemPrompt)
        let turns: [(String, String, Message.Status)] = [
            ("Host 10.0.0.5 talks to 203.0.113.9 every 60 s. Why?", "Likely C2 beaconing.", .complete),
            ("Which process?", "Check the parent of", .interrupted),
            ("Show me the Sysmon query.\n```\nEventID=3\n```", "```\nEventID=3 DestinationIp=203.0.113.9\n```", .complete),
        ]
        for (question, answer, status) in turns {
            original.appendUser(question)
            try journal.recordQuestion(question)
            original.appendAssistant(answer, status: status)
            try journal.recordAnswer(answer, status: status)
        }
        original.appendUser("And lateral movement?")
        try journal.recordQuestion("And lateral movement?")

        let session = try store.load("case")  // the journal is still open here: replay only
        #expect(session.conversation == original)
        #expect(session.warnings.isEmpty)
        #expect(session.unansweredQuestion?.text == "And lateral movement?")
        #expect(session.provider == "anthropic")
        #expect(session.model == "claude-sonnet-4-5")
        #expect(session.role == "triage")
        #expect(session.strategy == "drop-oldest")
    }

    @Test
    func settingsPinsAndSummariesReplayInOrder() {
        var session = ReplayedSession(name: "s")
        let events: [JournalEvent] = [
            .sessionStart(sampleStart),
            .user("q1"),
            .assistant(.init(text: "a1", inputTokens: 10, outputTokens: 2, firstTokenMilliseconds: 5, totalMilliseconds: 9)),
            .pin("fact A"), .pin("fact B"), .pin("fact C"),
            .unpin(index: 1),
            .unpin(index: 7),
            .summary(.init(text: "sum 1", coversThroughMessageID: 1)),
            .truncation("dropped 1"),
            .strategyChange("summarize"),
            .systemChange(role: "malware", systemPrompt: "You reverse malware."),
            .modelChange(provider: "ollama", model: "qwen2.5"),
        ]
        for (second, event) in events.enumerated() {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: Double(second)), event: event))
        }
        #expect(session.pins == ["fact A", "fact C"])
        #expect(session.summaries == [.init(text: "sum 1", coversThroughMessageID: 1)])
        #expect(session.truncationNotices == ["dropped 1"])
        #expect(session.strategy == "summarize")
        #expect(session.role == "malware")
        #expect(session.conversation.systemPrompt == "You reverse malware.")
        #expect(session.provider == "ollama")
        #expect(session.model == "qwen2.5")
        #expect(session.start == sampleStart)
        #expect(session.answers[1]?.outputTokens == 2)
        #expect(session.created == Date(timeIntervalSince1970: 0))
        #expect(session.lastActivity == Date(timeIntervalSince1970: Double(events.count - 1)))
        #expect(session.entries.count == events.count)
    }

    @Test
    func newConversationKeepsSettingsAndArchivesTheOldOne() {
        var session = ReplayedSession(name: "s")
        for event: JournalEvent in [
            .sessionStart(sampleStart), .user("old q"), .assistant(.init(text: "old a")), .pin("old fact"),
            .strategyChange("last-n"), .newConversation, .user("new q"),
        ] {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 0), event: event))
        }
        // Pins and the strategy reach the conversation itself; /new keeps the strategy, not the pins.
        var old = Conversation(systemPrompt: sampleStart.systemPrompt,
                               strategy: (try? TruncationStrategy(parsing: sampleStart.strategy)) ?? .dropOldest)
        old.appendUser("old q")
        old.appendAssistant("old a")
        old.pin("old fact")
        old.strategy = .lastN(TruncationStrategy.defaultKeepTurns)
        var current = Conversation(systemPrompt: sampleStart.systemPrompt, strategy: .lastN(TruncationStrategy.defaultKeepTurns))
        current.appendUser("new q")
        #expect(session.earlierConversations == [old])
        #expect(session.conversation == current)
        #expect(session.pins.isEmpty)
        #expect(session.strategy == "last-n")
        #expect(session.firstQuestion == "old q")
        #expect(session.messageCount == 3)
    }

    @Test
    func streamedDeltasWithoutAnAnswerBecomeAnInterruptedAnswer() {
        let journal = JournalReader.Result(entries: [
            JournalEntry(time: Date(timeIntervalSince1970: 0), event: .sessionStart(sampleStart)),
            JournalEntry(time: Date(timeIntervalSince1970: 1), event: .user("why?")),
            JournalEntry(time: Date(timeIntervalSince1970: 2), event: .answerDelta("Because ")),
            JournalEntry(time: Date(timeIntervalSince1970: 3), event: .answerDelta("the beacon")),
        ], warnings: [], endsWithNewline: true)
        let session = ReplayedSession(name: "s", journal: journal)
        #expect(session.conversation.messages.map(\.text) == ["why?", "Because the beacon"])
        #expect(session.conversation.messages.map(\.status) == [.complete, .interrupted])
        #expect(session.unansweredQuestion == nil)
    }

    @Test
    func deltasFollowedByTheirAnswerLeaveOnlyTheAnswer() {
        var session = ReplayedSession(name: "s")
        for event: JournalEvent in [.user("q"), .answerDelta("par"), .answerDelta("tial"), .assistant(.init(text: "partial answer"))] {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 0), event: event))
        }
        session.finishReplay()
        #expect(session.conversation.messages.map(\.text) == ["q", "partial answer"])
        #expect(session.conversation.messages.map(\.status) == [.complete, .complete])
    }

    @Test
    func deltasOfAKilledAnswerBeforeTheNextQuestionAreKeptInPlace() {
        var session = ReplayedSession(name: "s")
        for event: JournalEvent in [.user("q1"), .answerDelta("cut"), .user("q2")] {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 0), event: event))
        }
        #expect(session.conversation.messages.map(\.text) == ["q1", "cut", "q2"])
        #expect(session.conversation.messages.map(\.status) == [.complete, .interrupted, .complete])
    }

    @Test
    func missingSessionLineIsReportedNotFatal() {
        let journal = JournalReader.Result(
            entries: [JournalEntry(time: Date(timeIntervalSince1970: 0), event: .user("orphan"))],
            warnings: [], endsWithNewline: true
        )
        let session = ReplayedSession(name: "s", journal: journal)
        #expect(session.conversation.messages.map(\.text) == ["orphan"])
        #expect(session.warnings.map(\.kind) == [.missingSessionStart])
    }
}
