// incident-bench: in-process micro-benchmarks for `make bench` (bench/run.py drives it).
//
//   incident-bench view [--quick] [--indicator-every K]  history scaling: makeView and append+view, N = 100 … 100,000
//   incident-bench ingest [--deltas N]            stream ingest split into stages (offline and over loopback)
//   incident-bench stage NAME [--deltas N]        one ingest stage alone (for callgrind / perf)
//   incident-bench connections [--turns N]        TCP connections a CurlTransport opens for N turns
//   incident-bench render [--width W] [--delta-bytes N]  Markdown rendering of a 1 MB answer vs plain and vs ingest
//   incident-bench render-constructs [--width W]  the renderer's cost per input line of each Markdown construct
//   incident-bench casefile [--sessions N] [--turns N]  search/sessions/verify over N generated journals (CaseFileBench.swift)
//   incident-bench cache [--turns N] [--window W] [--max-tokens M] [--low-water F] [--formats a,b]
//                        [--strategies drop-oldest,summarise,last-n:8]
//                                                 prompt-cache read ratio per provider × strategy, cache-aware
//                                                 view against the naive one, over a simulating loopback provider
//   incident-bench real-cache [--turns N] [--window W] [--max-tokens M] [--naive] [--strategy S] [--root DIR]
//                             [--base-url URL]       (a llama.cpp server already running at that window)
//                                                 a triage transcript through the embedded llama.cpp server:
//                                                 tokens re-evaluated per turn and prompt time (llama.cpp timings)
//
// Every result is one line of JSON on stdout: {"bench": …, …}. Nothing leaves 127.0.0.1: the
// network stages start their own LoopbackServer on an ephemeral loopback port and stop it.

#if canImport(Glibc)
import Glibc
#endif
import ConversationCore
import LLMClients
import LoopbackProvider
import Safeguards

// MARK: - Helpers

func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func emit(_ fields: [(String, String)]) {
    let body = fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ")
    FileHandleless.write("{\(body)}\n", to: 1)
}

func quoted(_ text: String) -> String { "\"" + text + "\"" }
func number(_ value: Double) -> String { String(value) }

func median(_ values: [UInt64]) -> Double {
    let sorted = values.sorted()
    if sorted.isEmpty { return 0 }
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
}

func fail(_ message: String) -> Never {
    FileHandleless.write("incident-bench: \(message)\n", to: 2)
    exit(2)
}

enum FileHandleless {
    static func write(_ text: String, to fd: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return
                }
                offset += written
            }
        }
    }
}

/// A deterministic pseudo-random generator (xorshift), so every run builds the same history.
struct XorShift {
    var state: UInt64
    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

// MARK: - History scaling (measurement 5)

/// Results feed this so the optimiser cannot drop the work.
nonisolated(unsafe) var keepAlive = 0

let words = [
    "the", "host", "beacon", "lateral", "movement", "credential", "dump", "process", "parent", "powershell",
    "encoded", "command", "scheduled", "task", "registry", "run", "key", "persistence", "outbound", "traffic",
    "to", "from", "analyst", "observed", "alert", "triage", "timeline", "containment", "isolate", "endpoint",
]
let indicators = [
    "10.20.30.40", "198.51.100.23", "evil-c2.example.net", "d41d8cd98f00b204e9800998ecf8427e",
    "CVE-2024-3094", "https://203.0.113.9/payload.bin", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
]

func message(length: Int, rng: inout XorShift, indicator: Bool) -> String {
    var text = ""
    text.reserveCapacity(length + 80)
    if indicator { text += "Seen " + indicators[rng.below(indicators.count)] + " in the logs; " }
    while text.utf8.count < length {
        text += words[rng.below(words.count)]
        text += rng.below(12) == 0 ? ". " : " "
    }
    return text
}

/// - Parameter indicatorEvery: one message in this many names an indicator (0: none do).
func makeConversation(messages count: Int, indicatorEvery: Int = 8, seed: UInt64 = 0x9E37_79B9_7F4A_7C15) -> Conversation {
    var rng = XorShift(state: seed)
    var conversation = Conversation(systemPrompt: "You are an incident-response assistant. Be precise.")
    for index in 0..<count {
        // Users type 60–200 characters; answers run 150–400; one message in eight names an indicator.
        if index % 2 == 0 {
            let named = indicatorEvery > 0 && rng.below(indicatorEvery) == 0
            conversation.appendUser(message(length: 60 + rng.below(141), rng: &rng, indicator: named))
        } else {
            let named = indicatorEvery > 0 && rng.below(indicatorEvery) == 0
            conversation.appendAssistant(message(length: 150 + rng.below(251), rng: &rng, indicator: named))
        }
    }
    // A view is always built with a user message last.
    if conversation.messages.last?.role != .user {
        conversation.appendUser(message(length: 120, rng: &rng, indicator: indicatorEvery > 0))
    }
    return conversation
}

func benchView(quick: Bool, indicatorEvery: Int) {
    let estimator = TokenEstimator()
    let windows: [(String, ContextBudget)] = [
        ("200k", ContextBudget(contextWindow: 200_000, reservedForAnswer: 1024)),
        ("8k", ContextBudget(contextWindow: 8_192, reservedForAnswer: 1024)),
    ]
    for count in [100, 1_000, 10_000, 100_000] {
        let built = now()
        let conversation = makeConversation(messages: count, indicatorEvery: indicatorEvery)
        let buildSeconds = Double(now() - built) / 1e9
        for (name, budget) in windows {
            // makeView alone: median of many runs (at least 0.2 s or 30 runs, at most 2,000 runs).
            var samples: [UInt64] = []
            let deadline = now() + (quick ? 100_000_000 : 300_000_000)
            var sent = 0
            while samples.count < 2_000 && (samples.count < 30 || now() < deadline) {
                let start = now()
                let view = try! conversation.makeView(budget: budget, estimator: estimator)
                samples.append(now() - start)
                sent = view.messages.count
            }
            // One turn: append the user's message and the answer to a copy, then build the next view.
            var turnSamples: [UInt64] = []
            var rng = XorShift(state: 42)
            let turns = quick ? 20 : 60
            var copy = conversation
            copy.appendAssistant(message(length: 300, rng: &rng, indicator: false))
            let question = message(length: 150, rng: &rng, indicator: true)
            let answer = message(length: 300, rng: &rng, indicator: true)
            for _ in 0..<turns {
                let start = now()
                copy.appendUser(question)
                let view = try! copy.makeView(budget: budget, estimator: estimator)
                copy.appendAssistant(answer)
                turnSamples.append(now() - start)
                keepAlive &+= view.messages.count
            }
            emit([
                ("bench", quoted("view")), ("messages", String(count)), ("window", quoted(name)),
                ("runs", String(samples.count)), ("median_ns", number(median(samples))),
                ("min_ns", String(samples.min() ?? 0)), ("turn_median_ns", number(median(turnSamples))),
                ("turn_runs", String(turnSamples.count)), ("sent_messages", String(sent)),
                ("build_history_s", number(buildSeconds)), ("indicator_every", String(indicatorEvery)),
            ])
        }
    }
}

// MARK: - Stream ingest (measurement 3)

/// The pre-rendered OpenAI stream body, cut into 16 KiB reads (libcurl's default write size).
func renderedReads(deltas: Int) -> (reads: [[UInt8]], bytes: Int) {
    let stream = PrerenderedStream(.openai, deltaCount: deltas)
    let body = stream.reply.bodyBytes
    var reads: [[UInt8]] = []
    reads.reserveCapacity(body.count / 16_384 + 1)
    var offset = 0
    while offset < body.count {
        let end = min(body.count, offset + 16_384)
        reads.append(Array(body[offset..<end]))
        offset = end
    }
    return (reads, body.count)
}

/// Runs one offline stage over the reads; returns (seconds, deltas seen, text bytes out).
func runStage(_ name: String, reads: [[UInt8]], sink: Int32) -> (Double, Int, Int) {
    let format = OpenAIFormat(provider: .openai, baseURL: "http://127.0.0.1:9/v1", apiKey: nil)
    var sse = ServerSentEventParser()
    var decoder = format.makeStreamDecoder()
    var events: [StreamEvent] = []
    var sanitizer = OutputSanitizer()
    var deltas = 0
    var textBytes = 0
    let start = now()
    switch name {
    case "split":
        // Line splitting only (what SSE framing has to do at least).
        var lines = LineSplitter()
        for read in reads { lines.feed(read) { _ in deltas += 1 } }
    case "sse":
        for read in reads { sse.feed(read) { event in deltas += 1; textBytes += event.data.utf8.count } }
    case "decode":
        for read in reads {
            try! sse.feed(read) { try decoder.decode($0, into: &events) }
            for event in events { if case .text(let text) = event { deltas += 1; textBytes += text.utf8.count } }
            events.removeAll(keepingCapacity: true)
        }
    case "pipeline":
        // SSE + JSON decode + join per read + sanitize + write(2): HTTPChatClient's and
        // TerminalOutput's work without the network and without the async stream hops.
        for read in reads {
            try! sse.feed(read) { try decoder.decode($0, into: &events) }
            var joined = ""
            for event in events { if case .text(let text) = event { deltas += 1; joined += text } }
            events.removeAll(keepingCapacity: true)
            var safe = sanitizer.sanitize(joined)
            textBytes += safe.utf8.count
            safe.withUTF8 { bytes in _ = Glibc.write(sink, bytes.baseAddress, bytes.count) }
        }
        try! sse.finish { try decoder.decode($0, into: &events) }
        try! decoder.finish(into: &events)
    case "sanitize":
        // The sanitizer alone, over the joined text of each read (delta text precomputed).
        var texts: [String] = []
        for read in reads {
            try! sse.feed(read) { try decoder.decode($0, into: &events) }
            var joined = ""
            for event in events { if case .text(let text) = event { deltas += 1; joined += text } }
            events.removeAll(keepingCapacity: true)
            texts.append(joined)
        }
        let sanitizeStart = now()
        for text in texts { textBytes += sanitizer.sanitize(text).utf8.count }
        return (Double(now() - sanitizeStart) / 1e9, deltas, textBytes)
    default:
        fail("unknown stage \(name) (split, sse, decode, sanitize, pipeline, client)")
    }
    return (Double(now() - start) / 1e9, deltas, textBytes)
}

/// The whole client over loopback: CurlTransport → HTTPChatClient → sanitize → write(2) to `sink`.
func runClient(deltas: Int, sink: Int32) async -> (Double, Int, Int, Double) {
    let stream = PrerenderedStream(.openai, deltaCount: deltas)
    let server: LoopbackServer
    do {
        server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(
            streamed: stream.reply, nonStreamed: .json("{}")))
    } catch {
        fail("cannot start loopback server: \(error)")
    }
    defer { server.stop() }
    let transport = CurlTransport()
    let client = OpenAIClient(
        format: OpenAIFormat(provider: .openai, baseURL: server.baseURL + "/v1", apiKey: nil),
        transport: transport)
    let request = ChatRequest(model: "m", system: "s", messages: [.user("go")], maxTokens: 1024)
    var sanitizer = OutputSanitizer()
    var textBytes = 0
    var events = 0
    var firstText: UInt64 = 0
    let start = now()
    do {
        for try await event in client.stream(request) {
            if case .text(let text) = event {
                if firstText == 0 { firstText = now() }
                events += 1
                var safe = sanitizer.sanitize(text)
                textBytes += safe.utf8.count
                safe.withUTF8 { bytes in _ = Glibc.write(sink, bytes.baseAddress, bytes.count) }
            }
        }
    } catch {
        fail("client stream failed: \(error)")
    }
    let seconds = Double(now() - start) / 1e9
    return (seconds, textBytes, events, Double(firstText - start) / 1e9)
}

func openSink(_ path: String?) -> Int32 {
    let target = path ?? "/dev/null"
    let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    if fd < 0 { fail("cannot open \(target)") }
    return fd
}

func benchIngest(deltas: Int, sinkPath: String?, repeats: Int) async {
    let (reads, bytes) = renderedReads(deltas: deltas)
    for stage in ["split", "sse", "decode", "sanitize", "pipeline"] {
        var best = Double.infinity
        var seen = 0
        var out = 0
        for _ in 0..<repeats {
            let sink = openSink(sinkPath)
            let (seconds, count, textBytes) = runStage(stage, reads: reads, sink: sink)
            close(sink)
            best = min(best, seconds)
            seen = count
            out = textBytes
        }
        emit([
            ("bench", quoted("ingest")), ("stage", quoted(stage)), ("deltas", String(deltas)),
            ("events_seen", String(seen)), ("body_bytes", String(bytes)), ("text_bytes", String(out)),
            ("best_s", number(best)), ("deltas_per_s", number(Double(deltas) / best)), ("repeats", String(repeats)),
        ])
    }
    var best = Double.infinity
    var textBytes = 0
    var joinedEvents = 0
    var firstText = 0.0
    for _ in 0..<repeats {
        let sink = openSink(sinkPath)
        let (seconds, bytesOut, events, first) = await runClient(deltas: deltas, sink: sink)
        close(sink)
        if seconds < best { best = seconds; firstText = first }
        textBytes = bytesOut
        joinedEvents = events
    }
    emit([
        ("bench", quoted("ingest")), ("stage", quoted("client")), ("deltas", String(deltas)),
        ("events_seen", String(joinedEvents)), ("body_bytes", String(bytes)), ("text_bytes", String(textBytes)),
        ("best_s", number(best)), ("deltas_per_s", number(Double(deltas) / best)), ("repeats", String(repeats)),
        ("first_text_s", number(firstText)),
    ])
}

// MARK: - Connection reuse (measurement 4, in process)

func benchConnections(turns: Int) async {
    let server: LoopbackServer
    do {
        server = try LoopbackServer(handler: ProviderFormat.openai.answerHandler(
            streamed: .stream(.openai, deltas: ["Hello", " from", " loopback."]),
            nonStreamed: .json("{}")))
    } catch {
        fail("cannot start loopback server: \(error)")
    }
    defer { server.stop() }
    let transport = CurlTransport()
    let client = OpenAIClient(
        format: OpenAIFormat(provider: .openai, baseURL: server.baseURL + "/v1", apiKey: nil),
        transport: transport)
    var messages: [ChatRequest.Message] = []
    for turn in 0..<turns {
        messages.append(.user("turn \(turn)"))
        var answer = ""
        do {
            for try await event in client.stream(ChatRequest(model: "m", system: "s", messages: messages, maxTokens: 64)) {
                if case .text(let text) = event { answer += text }
            }
        } catch {
            fail("turn \(turn) failed: \(error)")
        }
        messages.append(.assistant(answer))
    }
    emit([
        ("bench", quoted("connections")), ("turns", String(turns)),
        ("transport_connections_opened", String(transport.connectionsOpened)),
        ("server_connections_accepted", String(server.connectionsAccepted)),
        ("requests", String(server.requests.count)),
    ])
}

// MARK: - Main

let allArguments = Array(CommandLine.arguments.dropFirst())
guard let command = allArguments.first else {
    fail("usage: incident-bench view|ingest|stage NAME|connections [--deltas N] [--turns N] [--repeats N] [--sink FILE] [--quick]")
}
let arguments = Array(allArguments.dropFirst())
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let deltaCount = option("--deltas").flatMap { Int($0) } ?? 1_000_000
let repeats = min(max(option("--repeats").flatMap { Int($0) } ?? 3, 1), 20)
let sinkPath = option("--sink")

switch command {
case "view":
    benchView(quick: arguments.contains("--quick"), indicatorEvery: option("--indicator-every").flatMap { Int($0) } ?? 8)
case "ingest":
    await benchIngest(deltas: deltaCount, sinkPath: sinkPath, repeats: repeats)
case "stage":
    guard arguments.count >= 1 else { fail("stage needs a name") }
    let stage = arguments[0]
    if stage == "client" {
        let sink = openSink(sinkPath)
        let (seconds, bytesOut, events, _) = await runClient(deltas: deltaCount, sink: sink)
        close(sink)
        emit([("bench", quoted("stage")), ("stage", quoted(stage)), ("seconds", number(seconds)),
              ("text_bytes", String(bytesOut)), ("events_seen", String(events))])
    } else {
        let (reads, _) = renderedReads(deltas: deltaCount)
        let sink = openSink(sinkPath)
        let (seconds, count, textBytes) = runStage(stage, reads: reads, sink: sink)
        close(sink)
        emit([("bench", quoted("stage")), ("stage", quoted(stage)), ("seconds", number(seconds)),
              ("deltas_per_s", number(Double(deltaCount) / seconds)), ("events_seen", String(count)),
              ("text_bytes", String(textBytes))])
    }
case "connections":
    await benchConnections(turns: option("--turns").flatMap { Int($0) } ?? 20)
case "render-constructs":
    benchRenderConstructs(width: option("--width").flatMap { Int($0) } ?? 100)
case "render":
    benchRender(bytes: 1_000_000, deltaSize: option("--delta-bytes").flatMap { Int($0) } ?? 4,
                width: option("--width").flatMap { Int($0) } ?? 100, sinkPath: sinkPath, repeats: repeats)
case "casefile":
    benchCaseFile(sessions: option("--sessions").flatMap { Int($0) } ?? 1000, turns: option("--turns").flatMap { Int($0) } ?? 100,
                  repeats: max(repeats, option("--repeats").flatMap { Int($0) } ?? 20))
case "real-cache":
    let root = option("--root") ?? String(cString: getcwd(nil, 0))
    await RealModelCacheBench.main(
        turns: option("--turns").flatMap { Int($0) } ?? 30, window: option("--window").flatMap { Int($0) } ?? 2_048,
        maxTokens: option("--max-tokens").flatMap { Int($0) } ?? 80, cacheAware: !arguments.contains("--naive"),
        strategy: option("--strategy") ?? "drop-oldest", root: root, baseURL: option("--base-url"))
case "cache":
    let formats = (option("--formats") ?? "anthropic,openai,llamacpp,gemini,ollama").split(separator: ",")
        .compactMap { ProviderFormat(rawValue: String($0)) }
    await CacheBench.main(
        turns: option("--turns").flatMap { Int($0) } ?? 60, window: option("--window").flatMap { Int($0) } ?? 2_500,
        maxTokens: option("--max-tokens").flatMap { Int($0) } ?? 200,
        lowWater: option("--low-water").flatMap { Double($0) }, formats: formats,
        strategies: (option("--strategies") ?? "drop-oldest,summarise,last-n:8").split(separator: ",").map(String.init))
default:
    fail("unknown command \(command)")
}
