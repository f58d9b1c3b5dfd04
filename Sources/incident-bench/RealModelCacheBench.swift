#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
import FoundationEssentials
import IncidentREPLKit
import LLMClients
import Synchronization

/// `incident-bench real-cache`: a 30-turn triage transcript through a real ``ChatSession`` and the
/// embedded llama.cpp server (SmolLM2-135M) at a small window, with the cache-aware view or the
/// naive one; llama.cpp's own `timings` (`cache_n`, `prompt_n`, `prompt_ms`) are read from every
/// answer stream, so the figures are the server's, not ours.
enum RealModelCacheBench {
    /// llama.cpp's report for one answer.
    struct Timing: Sendable {
        var cacheN: Int
        var promptN: Int
        var promptMilliseconds: Double
        /// Whether the request was a summarising one (the summariser's prompt), not a chat turn.
        var isSummary = false
    }

    /// A transport that passes everything through and keeps the `timings` object of each answer.
    final class TimingTransport: HTTPTransport {
        let base: any HTTPTransport
        let timings = Mutex<[Timing]>([])

        init(base: any HTTPTransport) { self.base = base }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let response = try await base.send(request)
            guard request.url.hasSuffix("chat/completions") else { return response }
            let isSummary = Self.lastIndex(of: Array(Self.summaryMarker.utf8), in: request.body) != nil
            let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
            let task = Task { [self] in
                var tail: [UInt8] = []
                do {
                    for try await chunk in response.body {
                        continuation.yield(chunk)
                        tail += chunk
                        if tail.count > 8_192 { tail.removeFirst(tail.count - 8_192) }
                    }
                    // Kept before the body ends, so the session never reads ahead of its timings.
                    if var timing = Self.timing(in: String(decoding: tail, as: UTF8.self)) {
                        timing.isSummary = isSummary
                        self.timings.withLock { $0.append(timing) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
            return HTTPResponse(head: response.head, body: body)
        }

        /// Words only the summarising request's prompt carries (``SummaryPlan/prompt``).
        static let summaryMarker = "You maintain a running summary of an incident-response conversation"

        /// The last `"timings":{…}` object in a stream's tail.
        static func timing(in text: String) -> Timing? {
            let bytes = Array(text.utf8)
            guard let start = lastIndex(of: Array(#""timings":{"#.utf8), in: bytes) else { return nil }
            let object = Array(bytes[start...].prefix { $0 != UInt8(ascii: "}") })
            func value(_ name: String) -> Double? {
                guard let key = lastIndex(of: Array("\"\(name)\":".utf8), in: object) else { return nil }
                let digits = object[(key + name.utf8.count + 3)...].prefix { "0123456789.-e".utf8.contains($0) }
                return Double(String(decoding: digits, as: UTF8.self))
            }
            guard let cache = value("cache_n"), let prompt = value("prompt_n") else { return nil }
            return Timing(cacheN: Int(cache), promptN: Int(prompt), promptMilliseconds: value("prompt_ms") ?? 0)
        }

        /// Where the last occurrence of `needle` in `haystack` begins.
        static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard needle.count <= haystack.count else { return nil }
            var index = haystack.count - needle.count
            while index >= 0 {
                if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
                index -= 1
            }
            return nil
        }
    }

    /// A line of `/proc/PID/status` in KiB (`VmRSS`, the resident set; `VmHWM`, its peak).
    static func memoryKiB(_ field: String, pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    /// The questions of `demos/long-triage.txt`: thirty turns of a phishing-to-lateral-movement triage.
    static func questions(root: String) -> [String] {
        let text = (try? String(contentsOfFile: root + "/demos/long-triage.txt", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    /// - Parameter baseURL: a llama.cpp server already running with a `window`-token context (for
    ///   trying launcher settings such as `--cache-reuse`); `nil` starts the embedded one.
    static func main(
        turns: Int, window: Int, maxTokens: Int, cacheAware: Bool, strategy: String, root: String, baseURL: String?
    ) async {
        let curl = CurlTransport(options: TransportOptions())
        var server: LocalModelServer?
        if baseURL == nil {
            do {
                // A private server (no token, its own port), with the product's launcher settings.
                server = try await LocalModelServer.start(
                    layout: ProjectLayout(root: root), settings: LocalModelSettings(contextSize: window), stateDirectory: nil)
            } catch {
                fail("cannot start the embedded llama.cpp server: \(error)")
            }
        }
        defer { server?.stop() }
        let base = baseURL ?? server?.baseURL ?? ""
        let transport = TimingTransport(base: curl)
        let client = OpenAIClient(
            format: OpenAIFormat(provider: .local, baseURL: base + "/v1", apiKey: nil), transport: transport)
        let system = (try? String(contentsOfFile: root + "/prompts/incident-response.md", encoding: .utf8))
            ?? "You are an incident responder."

        let questions = Self.questions(root: root)
        guard !questions.isEmpty else { fail("cannot read \(root)/demos/long-triage.txt") }
        let session = await ScriptedSessionRun.run(
            lines: (0..<turns).map { questions[$0 % questions.count] }, systemPrompt: system, strategy: strategy,
            options: .init(provider: .local, model: "smollm2-135m-instruct", maxTokens: maxTokens, contextWindow: window,
                           temperature: 0, promptCaching: cacheAware),
            client: client)

        let requests = transport.timings.withLock { $0 }
        // The answers of summarising requests are not turns: the window figures are the chat turns'.
        let timings = requests.filter { !$0.isSummary }
        // The window "fills" at the first turn whose prompt no longer holds the first question,
        // i.e. the first truncation.
        let history = session.conversation.messages.count
        var filled = timings.count
        for (index, timing) in timings.enumerated() where index > 0 && timing.promptN + timing.cacheN < timings[index - 1].promptN + timings[index - 1].cacheN {
            filled = index
            break
        }
        var turn = 0
        // The chat turn right after each summarising request: does the conversation keep its cache?
        var afterSummary: [(previous: Timing, next: Timing)] = []
        var previousTurn: Timing?
        var summaryPending = false
        for timing in requests {
            if timing.isSummary {
                summaryPending = true
                emit([("bench", quoted("real-cache-summary")), ("after_turn", String(turn)), ("cache_n", String(timing.cacheN)),
                      ("prompt_n", String(timing.promptN)), ("prompt_ms", number(timing.promptMilliseconds))])
                continue
            }
            turn += 1
            var fields = [("bench", quoted("real-cache-turn")), ("turn", String(turn)), ("cache_n", String(timing.cacheN)),
                          ("prompt_n", String(timing.promptN)), ("prompt_ms", number(timing.promptMilliseconds))]
            if summaryPending {
                fields.append(("after_summary", "true"))
                if let previousTurn { afterSummary.append((previousTurn, timing)) }
            }
            emit(fields)
            summaryPending = false
            previousTurn = timing
        }
        let before = timings[..<min(filled, timings.count)]
        let after = timings[min(filled, timings.count)...]
        func medianMilliseconds<C: Collection<Timing>>(_ slice: C) -> Double {
            let sorted = slice.map(\.promptMilliseconds).sorted()
            guard !sorted.isEmpty else { return 0 }
            return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        }
        func mean(_ values: [Int]) -> Double {
            values.isEmpty ? 0 : (Double(values.reduce(0, +)) / Double(values.count) * 10).rounded() / 10
        }
        let meanAfter = after.isEmpty ? 0 : Double(after.reduce(0) { $0 + $1.promptN }) / Double(after.count)
        var summary: [(String, String)] = [
            ("bench", quoted("real-cache")), ("view", quoted(cacheAware ? "cache-aware" : "naive")),
            ("strategy", quoted(strategy)), ("window", String(window)), ("max_tokens", String(maxTokens)),
            ("answers", String(timings.count)), ("failed_turns", String(session.failedTurns)),
            ("history_messages", String(history)), ("first_truncation_turn", String(filled + 1)),
            ("mean_prompt_n_after_fill", number((meanAfter * 10).rounded() / 10)),
            ("mean_reevaluated_share_of_window_after_fill", number((meanAfter / Double(window) * 1000).rounded() / 1000)),
            ("median_prompt_ms_before_fill", number(medianMilliseconds(before))),
            ("median_prompt_ms_after_fill", number(medianMilliseconds(after))),
        ]
        if requests.contains(where: \.isSummary) {
            summary += [
                ("summary_requests", String(requests.count - timings.count)),
                // Whether any summary was kept (one cut off at the answer limit is not).
                ("summarised_through_message", String(session.conversation.summary.map { $0.coversThroughMessageID + 1 } ?? 0)),
                ("mean_summary_prompt_n", number(mean(requests.filter(\.isSummary).map(\.promptN)))),
                ("mean_cache_n_after_summary", number(mean(afterSummary.map(\.next.cacheN)))),
                ("mean_prompt_n_after_summary", number(mean(afterSummary.map(\.next.promptN)))),
                ("median_prompt_ms_after_summary", number(medianMilliseconds(afterSummary.map(\.next)))),
            ]
        }
        if let pid = server?.pid {
            // The server's memory at the end of the run, and its peak (llama.cpp's prompt cache grows).
            summary.append(("server_rss_kib", String(Self.memoryKiB("VmRSS", pid: pid) ?? 0)))
            summary.append(("server_peak_rss_kib", String(Self.memoryKiB("VmHWM", pid: pid) ?? 0)))
        }
        emit(summary)
    }
}
