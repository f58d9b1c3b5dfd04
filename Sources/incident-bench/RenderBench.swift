// Rendering throughput (issue 15): a 1 MB Markdown answer streamed through the answer printer,
// rendered at a terminal width versus plain, next to the ingest pipeline for as many deltas.

#if canImport(Glibc)
import Glibc
#endif
import IncidentREPLKit

/// A deterministic Markdown answer of at least `bytes` bytes: headings, paragraphs with emphasis,
/// inline code and links, lists, a quote, a table and a code block per section.
func markdownAnswer(bytes: Int) -> String {
    var text = ""
    var section = 0
    while text.utf8.count < bytes {
        section += 1
        text += """
            ## Finding \(section): logons from **10.0.\(section % 250).7**

            The account `svc-backup-\(section)` logged on interactively at 03:\(section % 60) from an unusual host, \
            which is *worth* a closer look before anything else; see [the runbook](https://runbooks.example/ir/\(section)) \
            and the [ATT&CK page](https://attack.mitre.org/techniques/T1078/) for context on valid accounts.

            - Isolate `ws-\(section)` from the network and keep the memory image for the forensics team
            - Reset the credentials of **svc-backup-\(section)** and review its group memberships
              - check the service principal names as well
            1. Pull the firewall logs for the last 24 hours
            2. Compare against the baseline of the previous week

            > Note: the VPN logs are incomplete for the first hour of the incident window.

            | Host | Logons | First seen |
            |:-----|-------:|:----------:|
            | dc01 | \(section) | 03:12 |
            | ws-\(section) | 3 | 03:14 |
            | fs02 | 27 | 02:58 |

            ```kql
            SigninLogs
            | where TimeGenerated > ago(24h)
            | where UserPrincipalName has "svc-backup-\(section)"
            | summarize count() by IPAddress, bin(TimeGenerated, 5m)
            | order by count_ desc
            ```

            ---

            """
    }
    return text
}

/// The answer cut into deltas of about `size` bytes (at character boundaries), as a model streams tokens.
func deltas(of text: String, size: Int) -> [String] {
    var result: [String] = []
    result.reserveCapacity(text.utf8.count / size + 1)
    var current = ""
    for character in text {
        current.append(character)
        if current.utf8.count >= size {
            result.append(current)
            current = ""
        }
    }
    if !current.isEmpty { result.append(current) }
    return result
}

/// Streams `deltas` through an ``AnswerPrinter`` to `sink`; returns the seconds and, when asked, each
/// delta's time in nanoseconds.
func printAnswer(_ deltas: [String], rendering: AnswerRendering, sink: Int32, timeEach: Bool) -> (Double, [UInt64]) {
    let output = TerminalOutput(descriptor: sink, environment: [:])
    var each: [UInt64] = []
    if timeEach { each.reserveCapacity(deltas.count) }
    let start = now()
    let printer = AnswerPrinter(output: output, rendering: rendering)
    for delta in deltas {
        if timeEach {
            let before = now()
            printer.write(delta)
            each.append(now() - before)
        } else {
            printer.write(delta)
        }
    }
    printer.finish()
    return (Double(now() - start) / 1e9, each)
}

func percentile(_ values: [UInt64], _ fraction: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))])
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
}

func benchRender(bytes: Int, deltaSize: Int, width: Int, sinkPath: String?, repeats: Int) {
    let answer = markdownAnswer(bytes: bytes)
    let cut = deltas(of: answer, size: deltaSize)
    let rendered = AnswerRendering.markdown(color: true, width: width)
    let (reads, _) = renderedReads(deltas: cut.count)
    // Each repeat runs plain, rendered and the ingest pipeline back to back, so a ratio compares runs
    // made under the same load; the best of each and the median ratio are reported.
    var plainTimes: [Double] = [], renderedTimes: [Double] = [], ingestTimes: [Double] = []
    // One pass of each first, untimed: the first touches of the buffers and the sink are not rendering.
    let warmUp = openSink(sinkPath)
    _ = printAnswer(cut, rendering: .plain, sink: warmUp, timeEach: false)
    _ = printAnswer(cut, rendering: rendered, sink: warmUp, timeEach: false)
    _ = runStage("pipeline", reads: reads, sink: warmUp)
    close(warmUp)
    for _ in 0..<repeats {
        let sink = openSink(sinkPath)
        plainTimes.append(printAnswer(cut, rendering: .plain, sink: sink, timeEach: false).0)
        close(sink)
        let sink2 = openSink(sinkPath)
        renderedTimes.append(printAnswer(cut, rendering: rendered, sink: sink2, timeEach: false).0)
        close(sink2)
        // The ingest pipeline (SSE + JSON + sanitize + write) for as many deltas: what rendering adds to.
        let sink3 = openSink(sinkPath)
        ingestTimes.append(runStage("pipeline", reads: reads, sink: sink3).0)
        close(sink3)
    }
    let ratios = (0..<repeats).map { (renderedTimes[$0] - plainTimes[$0]) / ingestTimes[$0] }
    let plainBest = plainTimes.min()!, renderedBest = renderedTimes.min()!, ingestBest = ingestTimes.min()!
    // The renderer alone (a pure function: no sanitizing, no styles, no writes).
    var rendererBest = Double.infinity
    var lineCount = 0
    for _ in 0..<repeats {
        let start = now()
        var renderer = MarkdownRenderer(width: width)
        var lines = DisplayLines()
        lineCount = 0
        for delta in cut {
            renderer.append(delta, into: &lines)
            if lines.count > 1_000 {
                lineCount += lines.count
                lines.removeAll()
            }
        }
        renderer.finish(into: &lines)
        lineCount += lines.count
        rendererBest = min(rendererBest, Double(now() - start) / 1e9)
    }
    let sink = openSink(sinkPath)
    let (_, plainEach) = printAnswer(cut, rendering: .plain, sink: sink, timeEach: true)
    let (_, renderedEach) = printAnswer(cut, rendering: rendered, sink: sink, timeEach: true)
    close(sink)
    let added = renderedBest - plainBest
    emit([
        ("bench", quoted("render")), ("answer_bytes", String(answer.utf8.count)), ("deltas", String(cut.count)),
        ("width", String(width)), ("plain_s", number(plainBest)), ("rendered_s", number(renderedBest)),
        ("added_s", number(added)), ("rendered_mb_per_s", number(Double(answer.utf8.count) / renderedBest / 1e6)),
        ("renderer_only_s", number(rendererBest)), ("lines", String(lineCount)),
        ("ingest_pipeline_s", number(ingestBest)), ("added_vs_ingest", number(added / ingestBest)),
        ("added_vs_ingest_median", number(median(ratios))), ("added_vs_ingest_max", number(ratios.max()!)),
        ("delta_plain_p50_ns", number(percentile(plainEach, 0.5))),
        ("delta_rendered_p50_ns", number(percentile(renderedEach, 0.5))),
        ("delta_plain_p99_ns", number(percentile(plainEach, 0.99))),
        ("delta_rendered_p99_ns", number(percentile(renderedEach, 0.99))),
        ("delta_rendered_max_ns", number(Double(renderedEach.max() ?? 0))), ("repeats", String(repeats)),
    ])
}

/// The pure renderer's cost per input line of each construct of ``markdownAnswer(bytes:)``, each
/// rendered 20,000 times in a row (best of five): where a rendered answer's time goes.
func benchRenderConstructs(width: Int) {
    let constructs: [(String, String)] = [
        ("blank", "\n"),
        ("heading", "## Finding 12: logons from **10.0.12.7**\n"),
        ("paragraph", "The account `svc-backup-12` logged on interactively at 03:12 from an unusual host, "
            + "which is *worth* a closer look before anything else; "
            + "see [the runbook](https://runbooks.example/ir/12) and the "
            + "[ATT&CK page](https://attack.mitre.org/techniques/T1078/) for context on valid accounts.\n"),
        ("bullet", "- Isolate `ws-12` from the network and keep the memory image for the forensics team\n"),
        ("numbered", "1. Pull the firewall logs for the last 24 hours\n"),
        ("quote", "> Note: the VPN logs are incomplete for the first hour of the incident window.\n"),
        ("table", "| Host | Logons | First seen |\n|:-----|-------:|:----------:|\n| dc01 | 12 | 03:12 |\n"
            + "| ws-12 | 3 | 03:14 |\n| fs02 | 27 | 02:58 |\n\n"),
        ("code", "```kql\nSigninLogs\n| where TimeGenerated > ago(24h)\n"
            + "| where UserPrincipalName has \"svc-backup-12\"\n"
            + "| summarize count() by IPAddress, bin(TimeGenerated, 5m)\n| order by count_ desc\n```\n"),
        ("rule", "---\n"),
    ]
    let count = 20_000
    for (name, text) in constructs {
        var best = Double.infinity
        var rendered = 0
        for _ in 0..<5 {
            var renderer = MarkdownRenderer(width: width)
            var lines = DisplayLines()
            rendered = 0
            let start = now()
            for _ in 0..<count {
                renderer.append(text, into: &lines)
                if lines.count > 1_000 {
                    rendered += lines.count
                    lines.removeAll()
                }
            }
            rendered += lines.count
            best = min(best, Double(now() - start))
        }
        let inputLines = text.utf8.filter { $0 == 0x0A }.count
        emit([
            ("bench", quoted("render-constructs")), ("construct", quoted(name)), ("width", String(width)),
            ("ns_per_input_line", number(best / Double(count * inputLines))),
            ("lines_out_per_input_line", number(Double(rendered) / Double(count * inputLines))),
        ])
    }
}
