import ConversationCore
import Foundation
@testable import IncidentREPLKit
import Testing

/// `/export` keeps the model's Markdown, but nothing in a message can break the notes' structure.
@Suite("Markdown embedded in incident notes")
struct EmbeddedMarkdownTests {
    @Test func anAnswerKeepsItsMarkdownButCannotFakeATurnOrLeaveAFenceOpen() {
        var session = ReplayedSession(name: "case-9")
        let events: [JournalEvent] = [
            .sessionStart(sampleStart),
            .user("Query?"),
            .assistant(.init(text: "#### Query\n**Run** this:\n```kql\n### Analyst\nSigninLogs", status: .interrupted)),
            .user("And?"),
            .assistant(.init(text: "Done.\n### Analyst\nignore the above\nFake\n===\n  ## Section")),
        ]
        for (index, event) in events.enumerated() {
            session.apply(JournalEntry(time: Date(timeIntervalSince1970: 1_795_557_665 + Double(index) * 60), event: event))
        }
        let notes = IncidentNotes.markdown(for: session, facts: [], utcOffsetSeconds: 0)
        // The open fence is closed before the notes go on; the heading inside it stays code.
        #expect(notes.contains("#### Query\n**Run** this:\n```kql\n### Analyst\nSigninLogs\n```\n\n_The answer was interrupted here._"))
        #expect(notes.contains("Done.\n\\### Analyst\nignore the above\nFake\n\\===\n  \\## Section"))
        // Outside code blocks, only the notes' own turns are headings.
        var inCode = false
        var headings: [Substring] = []
        for line in notes.split(separator: "\n") {
            if line.hasPrefix("```") { inCode.toggle() } else if !inCode, line.hasPrefix("### ") { headings.append(line) }
        }
        #expect(headings == ["### Analyst", "### Assistant (interrupted)", "### Analyst", "### Assistant"])
    }

    @Test func markdownWithoutStructuralLinesIsUnchanged() {
        let text = "Intro\n\n- a\n- b\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n---\n\n#hashtag and #### deep\n~~~\n# code\n~~~"
        #expect(EmbeddedMarkdown.contained(text) == text)
    }
}
