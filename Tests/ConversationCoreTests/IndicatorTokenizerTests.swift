@testable import ConversationCore
import Testing

/// The byte tokenizer and the extractor built on it against the Character-based originals.
@Suite("IndicatorTokenizer")
struct IndicatorTokenizerTests {
    /// Pieces whose joins test grapheme clusters across delimiters: combining marks, a prepended
    /// mark (U+0600), Unicode white space, CR LF, controls, emoji sequences, and indicator-like text.
    static let fragments: [String] = [
        "tok", "The", "host", "HOST", "hostname", "user", "Username", "host:", "user=", "user=jdoe", "file:",
        "WS-042", "SRV_DB01", "10.0.0.5", "203.0.113.45:443", "evil.example.com", "bad[.]example[.]com",
        "hxxps://x.example.org/a", "phish@bad.example.net", "2001:db8::7", "d41d8cd98f00b204e9800998ecf8427e",
        "CVE-2021-44228", "T1059.001", "/etc/passwd", #"C:\Windows\x.dll"#, "report.pdf", "*bold*", "_x_", "end.",
        "why?!", "a", "ab", "abcdefghijklmnopqrstuvwxyzabcdefgh", "é", "e\u{301}", "\u{301}", "\u{20E3}", "über",
        "Straße", "日本", "👩\u{200D}💻", "🇩🇪", "\u{600}", "\u{A0}", "\u{2028}", "\u{3000}", "\u{200B}", "\u{85}", " ",
        "  ", "\t", "\n", "\r\n", "\r", ",", ";", ":", "=", "(", ")", "[", "]", "\"", "'", "`", "<", ">", "|", ".", "\u{7F}",
        "\u{1}", "-", "_", "*", "[.]", "(.)", "[@]", "Message-ID:", "References:", "a1@relay.example", "45.155.205.0/24",
        "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "login-m365.cfd", "dst=10.0.0.9",
    ]

    static func randomText(_ generator: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0...40, using: &generator) {
            text += fragments.randomElement(using: &generator)!
        }
        return text
    }

    @Test("Tokens are those of the Character split, for tricky Unicode joins")
    func tokensMatchTheCharacterSplitOnTrickyText() {
        let texts = [
            "", " ", "tok tok tok", "a,\u{301}b", "a \u{301}b", "x\u{600} y", "x\u{600}\ty", "host\u{A0}WS-1",
            "line\r\nnext", "\r\n\u{301}x", "\n\u{301}x", "\u{7F}\u{301}x", "é 10.0.0.5é", "10.0.0.5\u{2028}evil.example.com",
            "👩\u{200D}💻 🇩🇪🇫🇷 日本語", "\u{301}start", "end\u{301}", "a(\u{301})b", "tab\t\u{20E3}x", "\u{3000}\u{3000}x",
        ]
        for text in texts {
            #expect(IndicatorTokenizer.tokens(in: text).map(String.init)
                == text.split(whereSeparator: IndicatorExtractor.isDelimiter).map(String.init), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("Tokens are those of the Character split, for random joins of tricky pieces")
    func tokensMatchTheCharacterSplitOnRandomText() {
        var generator = SeededGenerator(seed: 0x1D1C_A70F)
        for _ in 0..<3000 {
            let text = Self.randomText(&generator)
            let expected = text.split(whereSeparator: IndicatorExtractor.isDelimiter).map(String.init)
            #expect(IndicatorTokenizer.tokens(in: text).map(String.init) == expected, "\(Array(text.unicodeScalars))")
        }
    }

    @Test("The extractor finds what the Character-based extractor found, in the same order")
    func extractorMatchesTheCharacterBasedOriginal() {
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<3000 {
            var text = Self.randomText(&generator)
            // Separated pieces too, so that labels meet their values.
            text += " " + Self.fragments.shuffled(using: &generator).prefix(12).joined(separator: " ")
            #expect(IndicatorExtractor.indicators(in: text) == Self.referenceIndicators(in: text), "\(Array(text.unicodeScalars))")
        }
    }

    @Test("Indicators next to non-ASCII text, white space and combining marks")
    func findsIndicatorsBesideNonASCIIText() {
        let text = "Über\u{A0}10.0.0.5 — “evil.example.com” lädt über hxxps://bad[.]example[.]org/x\u{2028}"
            + "host:\u{3000}WS-042 日本 user=jdoe\r\nSHA-256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 … "
            + ",\u{301}203.0.113.9 café.example.com"
        let found = IndicatorExtractor.indicators(in: text)
        #expect(found == [
            Indicator(kind: .ipv4, value: "10.0.0.5"),
            Indicator(kind: .url, value: "https://bad.example.org/x"),
            Indicator(kind: .host, value: "WS-042"),
            Indicator(kind: .user, value: "jdoe"),
            Indicator(kind: .sha256, value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ])
        #expect(found == Self.referenceIndicators(in: text))
    }

    @Test("Plain words are skipped, but a bare label in any case still takes its value")
    func plainWordsAreSkippedButBareLabelsAreNot() {
        #expect(IndicatorExtractor.indicators(in: "the HOSTNAME SRV-DB01 and Username ADMIN01 did things.").map(\.value)
            == ["SRV-DB01", "ADMIN01"])
        #expect(IndicatorExtractor.indicators(in: String(repeating: "tok ", count: 10_000)).isEmpty)
        #expect(IndicatorExtractor.indicators(in: "e3b0c44298fc1c149afbf4c8996fb924 abcdefabcdefabcdefabcdefabcdefab").map(\.kind)
            == [.md5, .md5])
    }

    // MARK: - The original

    /// The extractor as it was before the byte tokenizer: refang, split by Characters, classify every token.
    static func referenceIndicators(in text: String) -> [Indicator] {
        var source = text
        if source.utf8.contains(UInt8(ascii: "[")) || source.utf8.contains(UInt8(ascii: "(")) {
            source = source.replacing("[.]", with: ".").replacing("(.)", with: ".")
                .replacing("[:]", with: ":").replacing("[@]", with: "@")
        }
        if source.contains("hxxp") { source = source.replacing("hxxp", with: "http") }
        let tokens = source.split(whereSeparator: IndicatorExtractor.isDelimiter)
        var found: [Indicator] = []
        var seen: Set<String> = []
        func add(_ indicator: Indicator) {
            if seen.insert(indicator.key).inserted { found.append(indicator) }
        }
        var index = 0
        var inMessageIDs = false
        while index < tokens.count {
            let raw = IndicatorExtractor.trimLeading(tokens[index])
            // Message-ID headers (added with the byte tokenizer in place; mirrored here).
            if IndicatorExtractor.isMessageIDHeader(raw) {
                inMessageIDs = true
                index += 1
                continue
            }
            if inMessageIDs {
                if raw.contains("@") {
                    index += 1
                    continue
                }
                inMessageIDs = false
            }
            if let (labelKind, inlineValue) = IndicatorExtractor.label(raw) {
                if let inlineValue {
                    if let fact = IndicatorExtractor.labelled(labelKind, IndicatorExtractor.trimTrailing(inlineValue)) { add(fact) }
                    index += 1
                    continue
                }
                if index + 1 < tokens.count {
                    let value = IndicatorExtractor.trimTrailing(IndicatorExtractor.trimLeading(tokens[index + 1]))
                    let bare = raw.last != ":" && raw.last != "="
                    if !bare || IndicatorExtractor.looksLikeIdentifier(value),
                        let fact = IndicatorExtractor.labelled(labelKind, value)
                    {
                        add(fact)
                        index += 2
                        continue
                    }
                }
            }
            if let fact = IndicatorExtractor.classify(IndicatorExtractor.trimTrailing(raw)) { add(fact) }
            index += 1
        }
        return found
    }
}
