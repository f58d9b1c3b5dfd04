// incident-bench casefile: `incident-repl search` / `sessions` / `verify` over a generated case file,
// and what the hash chain adds to writing one journal line.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif
import IncidentREPLKit

/// Generates `sessions` journals of `turns` turns (question and answer per turn, chained as the REPL
/// writes them) in a fresh directory under /tmp, then times searches, listing and verification.
func benchCaseFile(sessions sessionCount: Int, turns: Int, repeats: Int) {
    var template = Array("/tmp/incident-bench-casefile-XXXXXX".utf8CString)
    let root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    defer { removeTree(root) }
    let directory = root + "/sessions"
    mkdir(directory, 0o700)

    // 1. The case file. A few indicators recur across sessions; the one searched for is in 5 of
    // them, spelled 5 ways.
    var random = XorShift(state: 0x5EED_CA5E)
    let spellings = ["203.0.113.45", "203.0.113[.]45", "203[.]0[.]113[.]45", "hxxp://203.0.113[.]45/x.sh", "203.0.113.45:8443"]
    let filler = "The process tree shows powershell spawning from winword, which is a common initial access pattern; "
        + "check the parent command line, the user's recent mail, and whether the same hash appears on other hosts. "
    let hashes = (0..<300).map { _ in (0..<4).map { _ in
        let word = String(random.next(), radix: 16)
        return String(repeating: "0", count: 16 - word.count) + word
    }.joined() }
    var totalBytes = 0
    let generationStart = now()
    for session in 0..<sessionCount {
        var bytes: [UInt8] = []
        var chain = JournalChain.start()
        var time = Date(timeIntervalSince1970: 1_795_000_000 + Double(session) * 86_400)
        func append(_ event: JournalEvent) {
            time += 7
            let (line, next) = chain.linking(try! JournalEntry(time: time, event: event).encodedLine())
            bytes += line
            chain = next
        }
        append(.sessionStart(.init(provider: "openai", model: "m", role: "incident-response",
                                   systemPrompt: "You are a careful incident responder.", strategy: "drop-oldest")))
        let every = max(sessionCount / 5, 1)
        let planted = session % every == 7 % every
        for turn in 1...turns {
            // Indicators recur: hosts, domains and hashes come from pools, as in a real case load.
            let host = "10.\(random.below(16)).\(random.below(32)).\(random.below(16))"
            let domain = "c2-\(random.below(500)).example.com"
            var question = "turn \(turn): host \(host) talked to \(domain) and hxxps://\(domain)/gate[.]php, seen on WS-\(random.below(900))"
            if planted, turn == (turns + 1) / 2 { question += "\nalso " + spellings[(session / every) % spellings.count] }
            append(.user(question))
            let answer = (0..<6).map { line in
                "\(line + 1). \(filler.prefix(90 + random.below(60))) (\(host), sha256 \(hashes[random.below(hashes.count)]))"
            }.joined(separator: "\n")
            append(.assistant(.init(text: answer, inputTokens: 900 + turn * 40, outputTokens: 180)))
        }
        writeWhole(directory + "/case-\(session).jsonl", bytes)
        totalBytes += bytes.count
    }
    let generationSeconds = Double(now() - generationStart) / 1e9
    emit([("bench", quoted("casefile-generate")), ("sessions", String(sessionCount)), ("turns", String(turns)),
          ("journal_bytes", String(totalBytes)), ("seconds", number(generationSeconds))])

    let store = SessionStore(directory: directory)
    let search = SessionSearch(store: store)
    func timed<T>(_ body: () throws -> T) -> (T, Double) {
        let start = now()
        let result = try! body()
        return (result, Double(now() - start) / 1e6)
    }

    // 2. The first search builds every session's index.
    let (cold, coldMs) = timed { try search.search("203.0.113.45") }
    emit([("bench", quoted("casefile-search-cold")), ("term", quoted("203.0.113.45")), ("ms", number(coldMs)),
          ("hits", String(cold.hits.count)), ("sessions_with_hits", String(Set(cold.hits.map(\.session)).count)),
          ("sessions_indexed", String(cold.sessionsIndexed))])

    // 3. Warm searches: indicators in several spellings, then text.
    for term in ["203.0.113.45", "203.0.113[.]45", "HXXP://203.0.113[.]45/x.sh", "c2-17.example.com", "lateral movement",
                 "WS-42"] {
        var samples: [UInt64] = []
        var cpu: [UInt64] = []
        var hits = 0
        var indexed = 0
        for _ in 0..<(term.contains(" ") || term.hasPrefix("WS") ? max(1, repeats / 4) : repeats) {
            let (start, startCPU) = (now(), cpuNanoseconds())
            let result = try! search.search(term)
            samples.append(now() - start)
            cpu.append(cpuNanoseconds() - startCPU)
            hits = result.hits.count
            indexed += result.sessionsIndexed
        }
        // CPU time (user + system) as well as wall time: on a shared machine the wall time waits.
        emit([("bench", quoted("casefile-search")), ("term", quoted(term)), ("median_ms", number(median(samples) / 1e6)),
              ("median_cpu_ms", number(median(cpu) / 1e6)),
              ("runs", String(samples.count)), ("hits", String(hits)), ("sessions_indexed", String(indexed))])
    }

    // 4. `incident-repl sessions` (from the indexes) and `verify` of one 100-turn journal.
    var listing: [UInt64] = []
    var listed = 0
    for _ in 0..<max(1, repeats / 2) {
        let start = now()
        listed = try! search.overviews().count
        listing.append(now() - start)
    }
    emit([("bench", quoted("casefile-sessions")), ("median_ms", number(median(listing) / 1e6)), ("sessions", String(listed))])
    var verifying: [UInt64] = []
    var status = ""
    for _ in 0..<repeats {
        let start = now()
        status = try! store.verify("case-0").summary
        verifying.append(now() - start)
    }
    emit([("bench", quoted("casefile-verify")), ("median_ms", number(median(verifying) / 1e6)), ("turns", String(turns)),
          ("result", quoted(status))])

    // 5. Per line: encoding an answer line alone, and encoding plus linking (SHA-256 of the line).
    let answer = JournalEntry(time: Date(), event: .assistant(.init(text: String(repeating: filler, count: 12))))
    let lineCount = 2_000
    var chain = JournalChain.start()
    var start = now()
    for _ in 0..<lineCount { keepAlive &+= try! answer.encodedLine().count }
    let encodeNs = Double(now() - start) / Double(lineCount)
    start = now()
    for _ in 0..<lineCount {
        let (line, next) = chain.linking(try! answer.encodedLine())
        chain = next
        keepAlive &+= line.count
    }
    let chainedNs = Double(now() - start) / Double(lineCount)
    emit([("bench", quoted("casefile-append-line")), ("line_bytes", String(try! answer.encodedLine().count + 88)),
          ("encode_us", number(encodeNs / 1e3)), ("encode_and_chain_us", number(chainedNs / 1e3)),
          ("chain_us", number((chainedNs - encodeNs) / 1e3))])
}

/// User plus system CPU time of this process so far.
private func cpuNanoseconds() -> UInt64 {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func nanoseconds(_ time: timeval) -> UInt64 { UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1_000 }
    return nanoseconds(usage.ru_utime) + nanoseconds(usage.ru_stime)
}

private func writeWhole(_ path: String, _ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { fail("cannot write \(path)") }
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written <= 0 { fail("write failed for \(path)") }
        offset += written
    }
    close(fd)
}

private func removeTree(_ path: String) {
    var info = stat()
    guard lstat(path, &info) == 0 else { return }
    if info.st_mode & S_IFMT == S_IFDIR {
        if let handle = opendir(path) {
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self)
                }
                if name != ".", name != ".." { removeTree(path + "/" + name) }
            }
            closedir(handle)
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}
