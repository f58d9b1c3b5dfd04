@testable import IncidentREPLKit
import Safeguards
import Testing

/// The renderer as a pure function: Markdown in, styled display lines out (shown here as markup:
/// `{b:bold}`, `{i:italic}`, `{c:code}`, `{a:link}`, `{h:heading}`, `{d:structure}`, `{pre:code line}`).
@Suite("Markdown rendering")
struct MarkdownRendererTests {
    func screen(_ markdown: String, width: Int) -> [String] {
        MarkdownRenderer.render(markdown, width: width).map(\.markup)
    }

    @Test func headingsAreBoldWithoutTheirHashesAndWrapAtBothWidths() {
        let text = "# Lateral movement from the jump host\n### Next steps ###\n"
        #expect(screen(text, width: 80) == [
            "{b,h:Lateral movement from the jump host}",
            "{b:Next steps}",
        ])
        #expect(screen(text, width: 20) == [
            "{b,h:Lateral movement}",
            "{b,h:from the jump host}",
            "{b:Next steps}",
        ])
    }

    @Test func emphasisStrongAndInlineCodeLoseTheirMarkup() {
        let text = "Run **only** on *isolated* hosts: `Get-Process lsass` then check process_name and a_b_c.\n"
        #expect(screen(text, width: 120) == [
            "Run {b:only} on {i:isolated} hosts: {c:Get-Process lsass} then check process_name and a_b_c.",
        ])
        #expect(screen(text, width: 30) == [
            "Run {b:only} on {i:isolated} hosts:",
            "{c:Get-Process lsass} then check",
            "process_name and a_b_c.",
        ])
    }

    @Test func unmatchedMarkupStaysAsWritten() {
        #expect(screen("2 * 3 = 6 and a lone ` tick, [not a link] and a_b_c\n", width: 80) == [
            "2 * 3 = 6 and a lone ` tick, [not a link] and a_b_c",
        ])
    }

    @Test func linksShowTheirTextThenTheURL() {
        let text = "See [the advisory](https://example.org/adv/42) and <https://attack.mitre.org/T1003>.\n"
        #expect(screen(text, width: 100) == [
            "See {a:the advisory} ({d:https://example.org/adv/42}) and {a:https://attack.mitre.org/T1003}.",
        ])
        #expect(screen(text, width: 40) == [
            "See {a:the advisory}",
            "({d:https://example.org/adv/42}) and",
            "{a:https://attack.mitre.org/T1003}.",
        ])
    }

    @Test func bulletAndNumberedListsWrapWithTheirIndentation() {
        let text = "- isolate the host from the network now\n  - keep memory for forensics please\n10. rotate the service account keys\n"
        #expect(screen(text, width: 80) == [
            "{d:• }isolate the host from the network now",
            "  {d:• }keep memory for forensics please",
            "{d:10. }rotate the service account keys",
        ])
        #expect(screen(text, width: 22) == [
            "{d:• }isolate the host",
            "  from the network now",
            "  {d:• }keep memory for",
            "    forensics please",
            "{d:10. }rotate the service",
            "    account keys",
        ])
    }

    @Test func blockQuotesKeepTheirBarOnEveryWrappedLine() {
        let text = "> The attacker used **valid** credentials from the VPN\n> > nested\n"
        #expect(screen(text, width: 80) == [
            "{d:│ }The attacker used {b:valid} credentials from the VPN",
            "{d:│ │ }nested",
        ])
        #expect(screen(text, width: 24) == [
            "{d:│ }The attacker used",
            "{d:│ }{b:valid} credentials from",
            "{d:│ }the VPN",
            "{d:│ │ }nested",
        ])
    }

    @Test func horizontalRulesSpanTheWidthUpTo80() {
        #expect(screen("---\n* * *\n", width: 12) == ["{d:────────────}", "{d:────────────}"])
        #expect(screen("___\n", width: 100) == ["{d:" + String(repeating: "─", count: 80) + "}"])
    }

    @Test func tablesAreAlignedWhenTheyFitAndLeftAsTextWhenNot() {
        let text = "| Host | Events |\n|:-----|-------:|\n| dc01 | 12 |\n| `ws-07` | 3 |\nAfter.\n"
        #expect(screen(text, width: 80) == [
            "{b:Host} {d: │ }{b:Events}",
            "{d:──────┼───────}",
            "dc01 {d: │ }    12",
            "{c:ws-07}{d: │ }     3",
            "After.",
        ])
        #expect(screen(text, width: 12) == [
            "| Host | Events |",
            "|:-----|-------:|",
            "| dc01 | 12 |",
            "| `ws-07` | 3 |",
            "After.",
        ])
    }

    @Test func pipesWithoutADelimiterRowAreParagraphs() {
        #expect(screen("| not a table |\nnext\n", width: 80) == ["| not a table |", "next"])
    }

    @Test func codeBlocksHaveALabelAndTheirLinesExactlyAsWritten() {
        let code = "SecurityEvent\n| where EventID == 4625   \n| summarize count() by Account, bin(TimeGenerated, 5m) // a long line"
        let text = "Query:\n```kql\n\(code)\n```\n~~~\n**not bold** in code\n~~~\n"
        let expected = [
            "Query:",
            "{d:── kql (/copy 1) ──}",
        ] + code.split(separator: "\n").map { "{pre:\($0)}" } + [
            "{d:──}",
            "{d:── code (/copy 2) ──}",
            "{pre:**not bold** in code}",
            "{d:──}",
        ]
        #expect(screen(text, width: 80) == expected)
        #expect(screen(text, width: 20) == expected.map { $0 == "Query:" ? "Query:" : $0 })
    }

    @Test func codeLinesRoundTripByteForByte() {
        let source = [
            "\tindented with a tab", "  two spaces", "trailing spaces   ", "", "unicode: ü 日本 🙂",
            "*not* _markup_ `here` [x](y) | a | b |", "# not a heading", "> not a quote", "- not a list",
            String(repeating: "x", count: 300),
        ]
        let markdown = "```powershell\n" + source.joined(separator: "\n") + "\n```\n"
        for width in [20, 80] {
            let lines = MarkdownRenderer.render(markdown, width: width)
            let code = lines.filter { $0.spans.first?.style == .codeBlock || $0.spans.isEmpty }
            #expect(code.map(\.text) == source)
            #expect(lines.count == source.count + 2)
        }
        #expect(CodeBlock.all(in: markdown) == [CodeBlock(language: "powershell", text: source.joined(separator: "\n"))])
    }

    @Test func aFenceLeftOpenIsClosedAtTheEnd() {
        #expect(screen("```yaml\ntitle: x", width: 80) == ["{d:── yaml (/copy 1) ──}", "{pre:title: x}", "{d:──}"])
    }

    @Test func longWordsAreCutOnlyWhenTheyCannotFitALine() {
        #expect(screen("see https://example.org/a/very/long/path here\n", width: 16) == [
            "see",
            "https://example.",
            "org/a/very/long/",
            "path here",
        ])
    }

    @Test func wideCharactersCountTwoColumns() {
        #expect(screen("日本語 日本語 日本語\n", width: 14) == ["日本語 日本語", "日本語"])
    }

    @Test func escapesInsideCodeBlocksAndTablesStayNeutralised() {
        let hostile = "```sh\necho \u{1B}]52;c;ZXZpbA==\u{07} ok\n```\n| a | b |\n|---|---|\n| \u{1B}[2J | \u{9B}31m |\n"
        var sanitizer = OutputSanitizer()
        let safe = sanitizer.sanitize(hostile) + sanitizer.finish()
        let lines = MarkdownRenderer.render(safe, width: 80)
        let all = lines.map(\.text).joined(separator: "\n")
        #expect(!all.unicodeScalars.contains { $0.value == 0x1B || (0x80...0x9F).contains($0.value) || $0.value == 0x07 })
        #expect(all.contains("echo ^[]52;c;ZXZpbA==^G ok"))
        #expect(lines.contains { $0.text.hasPrefix("^[[2J") })
    }

    @Test(arguments: [40, 100])
    func theSameBytesCutAtAnyOffsetSettleIntoTheSameLines(width: Int) {
        let bytes = Array((AnswerPrinterTests.answer + "\n| a \u{1B}[2J | b |\n|---|---|\n| 1 | 2 |").utf8)
        var whole = OutputSanitizer()
        let expected = MarkdownRenderer.render(whole.sanitize(bytes: bytes) + whole.finish(), width: width)
        var mismatches: [Int] = []
        for cut in 0...bytes.count {
            var sanitizer = OutputSanitizer()
            var renderer = MarkdownRenderer(width: width)
            var lines = renderer.append(sanitizer.sanitize(bytes: bytes[..<cut]))
            lines += renderer.append(sanitizer.sanitize(bytes: bytes[cut...]))
            lines += renderer.append(sanitizer.finish())
            lines += renderer.finish()
            if lines != expected { mismatches.append(cut) }
        }
        #expect(mismatches.isEmpty)
        #expect(expected.count > 20)
    }
}
