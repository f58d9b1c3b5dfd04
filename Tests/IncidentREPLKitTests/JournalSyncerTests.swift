#if canImport(Glibc)
import Glibc
#endif
@testable import IncidentREPLKit
import Testing

@Suite("JournalSyncer")
struct JournalSyncerTests {
    @Test
    func everyRequestedSyncHasRunWhenTheWaitReturns() throws {
        let temporary = TemporaryDirectory()
        let path = temporary.path + "/j.jsonl"
        let file = try PrivateFile(appendingTo: path)
        let syncer = JournalSyncer(descriptor: try file.duplicateDescriptor(), path: path, newFileDirectory: temporary.path)
        defer { syncer.stop() }
        for line in 0..<50 {
            try file.append(Array("line \(line)\n".utf8), sync: false)
            syncer.requestSync()
        }
        syncer.waitUntilDurable()
        #expect(syncer.pendingRequests == 0)
        #expect(syncer.flushes >= 1 && syncer.flushes <= 50)
        #expect(syncer.takeFailure() == nil)
    }

    @Test
    func aFailedFlushIsReportedOnceWithThePath() throws {
        // fdatasync(2) fails with EINVAL on a pipe: the same path a full or failing disk takes.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        defer { close(ends[0]) }
        let syncer = JournalSyncer(descriptor: ends[1], path: "/tmp/case.jsonl", newFileDirectory: nil)
        defer { syncer.stop() }
        syncer.requestSync()
        syncer.waitUntilDurable()
        let failure = try #require(syncer.takeFailure())
        #expect(failure.hasPrefix("/tmp/case.jsonl: fdatasync failed"))
        #expect(syncer.takeFailure() == nil)
    }

    @Test
    func aJournalLineIsInTheFileBeforeItIsDurable() async throws {
        let temporary = TemporaryDirectory()
        let journal = try SessionJournal.create(at: temporary.path + "/s.jsonl", start: sampleStart)
        try journal.recordQuestion("beaconing to 203.0.113.45 every 60 s")
        // Readable at once (page cache): a killed process would not lose it.
        let text = String(decoding: try fileBytes(journal.path), as: UTF8.self)
        #expect(text.contains("203.0.113.45"))
        await journal.waitUntilDurable()
        try journal.recordQuestion("second")  // no flush failure to report
    }
}
