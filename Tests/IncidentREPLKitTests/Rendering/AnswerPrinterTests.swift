@testable import IncidentREPLKit
import Safeguards
import Foundation
import Testing

/// The answer printer on a (modelled) terminal: what the analyst ends up seeing, however the
/// answer was cut into deltas, and what reaches a pipe.
@Suite("Answer printing")
struct AnswerPrinterTests {
    static let answer = """
        ## Triage of **dc01**
        The account `svc-backup` logged on interactively at 03:12 from an unusual host, which is worth a closer look before anything else.
        - Isolate *ws-07* now
          - keep the memory image
        1. Reset the [krbtgt](https://learn.example.com/krbtgt) password twice
        > Note: the VPN logs are incomplete for the first hour.

        | Host | Logons |
        |------|-------:|
        | dc01 | 12 |
        | ws-07 | 3 |

        ```kql
        SecurityEvent | where EventID == 4624 and LogonType == 10 | summarize count() by Account
        ```
        ---
        日本語のテキスト too.
        """

    /// What the printer writes for `deltas`.
    static func printed(_ deltas: [String], rendering: AnswerRendering) throws -> String {
        try TerminalOutputTests.captured(usesColor: true) { output in
            let printer = AnswerPrinter(output: output, rendering: rendering)
            for delta in deltas { printer.write(delta) }
            printer.finish()
        }
    }

    static func expectedScreen(_ text: String, width: Int) -> [String] {
        var sanitizer = OutputSanitizer()
        let safe = sanitizer.sanitize(text) + sanitizer.finish()
        // Code lines longer than the width are wrapped by the terminal, not by us.
        let lines = MarkdownRenderer.render(safe, width: width).map(\.text)
        return ScreenModel.lines(after: lines.map { $0 + "\n" }.joined(), width: width)
    }

    @Test(arguments: [30, 80])
    func theFinalScreenIsTheRenderedAnswerWhereverTheDeltasAreCut(width: Int) throws {
        let rendering = AnswerRendering.markdown(color: true, width: width)
        let expected = Self.expectedScreen(Self.answer, width: width)
        #expect(expected.contains { $0.contains("Triage of dc01") })
        #expect(expected.contains("SecurityEvent | where EventID == 4624 and LogonType == 10 | summarize count() by") == (width == 80))
        let whole = try Self.printed([Self.answer], rendering: rendering)
        #expect(ScreenModel.lines(after: whole, width: width) == expected)

        let scalars = Array(Self.answer.unicodeScalars)
        var mismatches: [Int] = []
        var firstMismatch = ""
        for cut in 0...scalars.count {
            var first = "", second = ""
            first.unicodeScalars.append(contentsOf: scalars[..<cut])
            second.unicodeScalars.append(contentsOf: scalars[cut...])
            let output = try Self.printed([first, second], rendering: rendering)
            if ScreenModel.lines(after: output, width: width) != expected {
                if mismatches.isEmpty { firstMismatch = output }
                mismatches.append(cut)
            }
        }
        #expect(mismatches.isEmpty, "first mismatching output: \(firstMismatch.debugDescription)")

        // One delta per character, as a slow local model sends them.
        let characters = Self.answer.map { String($0) }
        #expect(ScreenModel.lines(after: try Self.printed(characters, rendering: rendering), width: width) == expected)
    }

    /// An answer longer than the storage the printer keeps between resets (64 KiB of settled text,
    /// of rendered lines and of written bytes), streamed in token-sized deltas, still ends on the
    /// rendered screen.
    @Test func aLongAnswerEndsOnTheRenderedScreen() throws {
        let answer = (1...400).map { "### Section \($0)\n" + Self.answer + "\n" }.joined()
        #expect(answer.utf8.count > 3 * 65_536)
        var deltas: [String] = []
        var current = ""
        for character in answer {
            current.append(character)
            if current.utf8.count >= 3 {
                deltas.append(current)
                current = ""
            }
        }
        deltas.append(current)
        let width = 80
        let output = try Self.printed(deltas, rendering: .markdown(color: true, width: width))
        let screen = ScreenModel.lines(after: output, width: width)
        let expected = Self.expectedScreen(answer, width: width)
        #expect(screen.count == expected.count)
        #expect(screen == expected)
    }

    static func count(_ sequence: String, in output: String) -> Int {
        output.components(separatedBy: sequence).count - 1
    }

    /// A code line is streamed in the code style from its first byte and, ending as written, is not
    /// redrawn; the fences are (they become the label and the closing rule). No style is left on.
    @Test(arguments: [true, false])
    func aCodeLineThatEndsAsStreamedIsNotRedrawn(color: Bool) throws {
        let deltas = ["```sh\n", "echo", " hi", "\n", "```", "\n", "Done."]
        let rendering = AnswerRendering.markdown(color: color, width: 40)
        let output = try Self.printed(deltas, rendering: rendering)
        // The opening fence arrives whole (nothing to erase); the closing fence and the last line
        // are redrawn.
        #expect(Self.count("\u{1B}[J", in: output) == 2)
        if color {
            #expect(output.contains("\u{1B}[36mecho hi\u{1B}[0m\n"))
            let lastStart = try #require(output.range(of: "\u{1B}[36m", options: .backwards))
            #expect(output[lastStart.upperBound...].contains("\u{1B}[0m"), "the code style is left on")
        } else {
            #expect(output.contains("echo hi\n"))
        }
        let expected = Self.expectedScreen(deltas.joined(), width: 40)
        #expect(ScreenModel.lines(after: output, width: 40) == expected)
    }

    /// A line whose rendering differs from what was streamed (markup, trailing spaces) is redrawn;
    /// a plain line is not.
    @Test func onlyALineThatRendersAsStreamedStaysAsItIs() throws {
        let rendering = AnswerRendering.markdown(color: true, width: 60)
        let cases: [([String], Int)] = [
            (["See [the advisory](", "https://e.example/1) now\n"], 1),
            (["trailing   ", "  \n"], 1),
            (["plain words", " only\n"], 0),
            (["ok \u{FE0F}", "\u{FE0F} done\n"], 0),
        ]
        for (deltas, redraws) in cases {
            let output = try Self.printed(deltas, rendering: rendering)
            #expect(Self.count("\u{1B}[J", in: output) == redraws, "\(deltas)")
            #expect(ScreenModel.lines(after: output, width: 60) == Self.expectedScreen(deltas.joined(), width: 60), "\(deltas)")
        }
    }

    @Test func theLineStillStreamingIsShownAtOnceAndRedrawnWhenItEnds() throws {
        let rendering = AnswerRendering.markdown(color: false, width: 40)
        // Nothing is held back: the first token reaches the terminal as it would unrendered.
        let streaming = try TerminalOutputTests.captured { output in
            AnswerPrinter(output: output, rendering: rendering).write("**Containment** fi")
        }
        #expect(streaming == "**Containment** fi")
        let settled = try Self.printed(["**Containment** fi", "rst\nnext"], rendering: rendering)
        #expect(settled.hasPrefix("**Containment** fi\r\u{1B}[J"))
        #expect(ScreenModel.lines(after: settled, width: 40) == ["Containment first", "next"])
    }

    @Test func plainOutputIsExactlyTheSanitizedText() throws {
        let hostile = Self.answer + "\n```\n\u{1B}[2J\u{1B}]52;c;ZXZpbA==\u{07}\n"
        let deltas = stride(from: 0, to: hostile.count, by: 7).map { start in
            String(hostile.dropFirst(start).prefix(7))
        }
        let output = try Self.printed(deltas, rendering: .plain)
        #expect(output == OutputSanitizer.sanitize(hostile))
    }

    @Test func noColorKeepsBoldAndStructureButDropsColour() throws {
        let output = try Self.printed([Self.answer], rendering: .markdown(color: false, width: 80))
        #expect(output.contains("\u{1B}[1m"))
        #expect(!output.contains("\u{1B}[36m"))
        #expect(!output.contains("\u{1B}[31m"))
        #expect(ScreenModel.lines(after: output, width: 80).contains("• Isolate ws-07 now"))
        let colored = try Self.printed([Self.answer], rendering: .markdown(color: true, width: 80))
        #expect(colored.contains("\u{1B}[36mSecurityEvent | where"))
    }

    @Test func escapesInsideACodeBlockAndATableReachTheScreenInert() throws {
        let hostile = "```sh\nprintf '\u{1B}]52;c;ZXZpbA==\u{07}' \u{1B}[2J\n```\n| a | b |\n|---|---|\n| \u{1B}[8mhidden | \u{9B}1;1H |\n"
        for rendering in [AnswerRendering.markdown(color: true, width: 60), .markdown(color: false, width: 60)] {
            let output = try Self.printed(hostile.map { String($0) }, rendering: rendering)
            var screen = ScreenModel(width: 60)
            screen.feed(output)
            #expect(screen.unexpectedSequences.isEmpty)
            let table = Set(TerminalText.Style.allCases.map(\.start) + [TerminalText.Style.reset])
            #expect(screen.styleSequences.isSubset(of: table))
            #expect(!output.unicodeScalars.contains { (0x80...0x9F).contains($0.value) || $0.value == 0x07 })
            #expect(screen.text.contains("printf '^[]52;c;ZXZpbA==^G' ^[[2J"))
            #expect(screen.text.contains { $0.hasPrefix("^[[8mhidden") })
        }
    }
}
