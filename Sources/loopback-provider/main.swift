// loopback-provider: serves instant provider answers on 127.0.0.1 for benchmarks.
//
//   loopback-provider --port P --format openai|anthropic|gemini|ollama|llamacpp
//                     [--deltas N] [--answer TEXT] [--max-seconds S] [--simulate-cache on]
//
// With --simulate-cache on, usage reports the prompt-cache hits that provider would have
// (PromptCacheSimulator: Anthropic breakpoints, everyone else the longest common prefix).
//
// Any POST gets the answer (streamed or JSON, as the request asks); GET /health and GET /props answer
// like llama-server. Prints "listening on http://127.0.0.1:PORT" once ready; runs until SIGTERM or
// SIGINT, or for at most --max-seconds (default 600) so a forgotten process cannot linger.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LoopbackProvider

/// Writes `text` to a file descriptor unbuffered (stdio's `stdout`/`stderr` globals are not
/// concurrency-safe in Swift 6).
func emit(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 { if errno == EINTR { continue } else { return } }
        bytes = bytes.dropFirst(written)
    }
}

/// Writes `message` and a usage line to stderr and exits with status 2.
func fail(_ message: String) -> Never {
    let usage = """
        usage: loopback-provider [--port P] [--format openai|anthropic|gemini|ollama|llamacpp]
                                 [--deltas N] [--answer TEXT] [--max-seconds S]
        """
    emit("loopback-provider: \(message)\n\(usage)\n", to: 2)
    exit(2)
}

var port: UInt16 = 0
var format = ProviderFormat.openai
var deltaCount: Int?
var answer: String?
var maxSeconds = 600
var simulateCache = false

var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    if flag == "--help" || flag == "-h" {
        print("loopback-provider --port P --format openai|anthropic|gemini|ollama|llamacpp [--deltas N] [--answer TEXT] [--max-seconds S]")
        exit(0)
    }
    guard let value = arguments.popFirst() else { fail("\(flag) needs a value") }
    switch flag {
    case "--port":
        guard let parsed = UInt16(value) else { fail("bad port: \(value)") }
        port = parsed
    case "--format":
        guard let parsed = ProviderFormat(rawValue: value.lowercased()) else { fail("unknown format: \(value)") }
        format = parsed
    case "--deltas":
        guard let parsed = Int(value), parsed >= 0 else { fail("bad delta count: \(value)") }
        deltaCount = parsed
    case "--answer":
        answer = value
    case "--simulate-cache":
        simulateCache = value == "on" || value == "true" || value == "1"
    case "--max-seconds":
        guard let parsed = Int(value), parsed > 0 else { fail("bad --max-seconds: \(value)") }
        maxSeconds = parsed
    default:
        fail("unknown option \(flag)")
    }
}

/// Splits `text` into word deltas, each word keeping the space before it.
func wordDeltas(_ text: String) -> [String] {
    var deltas: [String] = []
    var current = ""
    for character in text {
        if character == " ", !current.isEmpty, current.last != " " {
            deltas.append(current)
            current = ""
        }
        current.append(character)
    }
    if !current.isEmpty { deltas.append(current) }
    return deltas
}

// With --deltas N: N deltas, each the --answer text (default "tok "). Without: the answer in words.
let streamed: Reply
let fullText: String
let outputTokens: Int
if let deltaCount {
    let delta = answer ?? "tok "
    let stream = PrerenderedStream(format, deltaCount: deltaCount, delta: delta)
    streamed = stream.reply
    fullText = String(repeating: delta, count: deltaCount)
    outputTokens = max(1, deltaCount)
} else {
    let deltas = wordDeltas(answer ?? "Hello from the loopback provider.")
    streamed = .stream(format, deltas: deltas)
    fullText = deltas.joined()
    outputTokens = max(1, deltas.count)
}
let nonStreamed = Reply.answer(format, text: fullText, usage: TokenUsage(input: 12, output: outputTokens))

// Block the stop signals before any thread starts, so only sigtimedwait below receives them. Reset
// their dispositions first: a shell starts background jobs with SIGINT ignored, and an ignored
// signal is discarded instead of left pending.
signal(SIGINT, SIG_DFL)
signal(SIGTERM, SIG_DFL)
var signals = sigset_t()
sigemptyset(&signals)
sigaddset(&signals, SIGINT)
sigaddset(&signals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &signals, nil)
signal(SIGPIPE, SIG_IGN)

let server: LoopbackServer
do {
    let plain = format.answerHandler(streamed: streamed, nonStreamed: nonStreamed)
    let simulator = PromptCacheSimulator()
    let answerDeltas = deltaCount == nil ? wordDeltas(answer ?? "Hello from the loopback provider.") : nil
    let handler: LoopbackServer.Handler = { [format, simulateCache] request in
        guard simulateCache, request.method == "POST", let answerDeltas else { return plain(request) }
        let usage = simulator.usage(for: request, format: format, output: max(1, answerDeltas.count))
        return .success(format, deltas: answerDeltas, usage: usage, for: request)
    }
    server = try LoopbackServer(port: port, handler: handler)
} catch {
    emit("loopback-provider: cannot listen on 127.0.0.1:\(port): \(error)\n", to: 2)
    exit(1)
}
emit("listening on \(server.baseURL)\n", to: 1)

var timeout = timespec(tv_sec: maxSeconds, tv_nsec: 0)
var received: Int32 = -1
repeat {
    received = sigtimedwait(&signals, nil, &timeout)
} while received < 0 && errno == EINTR
if received < 0 {
    emit("loopback-provider: --max-seconds \(maxSeconds) reached, stopping\n", to: 2)
}
server.stop()
exit(0)
