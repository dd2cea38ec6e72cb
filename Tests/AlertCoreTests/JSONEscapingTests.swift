import Testing

@testable import AlertCore

@Suite("JSON string escaping")
struct JSONEscapingTests {
    static func escaped(_ value: String, lineSeparators: Bool = false) -> String {
        var text = ""
        JSONEscaping.append(value, to: &text, lineSeparators: lineSeparators)
        return text
    }

    @Test(
        "what is escaped, and how",
        arguments: [
            ("plain text", "plain text", "plain text"),
            (#"say "hi" \ bye"#, #"say \"hi\" \\ bye"#, #"say \"hi\" \\ bye"#),
            ("a\nb\rc\td", #"a\nb\rc\td"#, #"a\nb\rc\td"#),
            ("\u{1}\u{1f}", #"\u0001\u001f"#, #"\u0001\u001f"#),
            ("line\u{2028}para\u{2029}", "line\u{2028}para\u{2029}", #"line\u2028para\u2029"#),
            ("\"\u{2028}", #"\"\#u{2028}"#, #"\"\u2028"#),  // escaped alongside others: still only with lineSeparators
            ("café ☕", "café ☕", "café ☕"),
        ])
    func escapes(value: String, json: String, forTemplates: String) {
        #expect(Self.escaped(value) == json)
        #expect(Self.escaped(value, lineSeparators: true) == forTemplates)
    }

    @Test("random texts read back as they were, in both modes")
    func roundTrip() throws {
        var generator = SplitMix64(seed: 9)
        let alphabet: [Unicode.Scalar] = ["a", "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "é", "\u{2028}", "\u{2029}", "😀", " "]
        for _ in 0..<2_000 {
            var value = ""
            for _ in 0..<(generator.next() % 12) {
                value.unicodeScalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
            }
            for lineSeparators in [false, true] {
                let parsed = try JSONParser.parse(Array(("\"" + Self.escaped(value, lineSeparators: lineSeparators) + "\"").utf8))
                #expect(parsed == .string(value), "\(value.unicodeScalars.map { $0.value })")
            }
        }
    }
}
