import Foundation
import Testing

@testable import AlertCore

/// The native decoder reads members straight from the bytes (no parsed
/// tree). Parsing the text whole and decoding the object is the reference:
/// for every input both must give the same alert, or the same error word
/// for word (offsets included).
@Suite("Native JSON decoder: reading from the bytes equals decoding the parsed object")
struct NativeDecoderEquivalenceTests {
    static func reference(_ bytes: [UInt8]) -> Result<Alert, DecodeError> {
        do {
            return NativeAlertDecoder.decode(object: try JSONParser.parse(bytes), listener: "ingest-udp")
        } catch {
            return .failure(.malformed("not valid JSON: \(error)"))
        }
    }

    static func expectSame(_ bytes: [UInt8], _ comment: Comment? = nil) {
        let direct = NativeAlertDecoder.decode(bytes, listener: "ingest-udp")
        #expect(direct == reference(bytes), comment ?? "\(String(decoding: bytes, as: UTF8.self))")
    }

    static let fixtures = [
        "native/good/summary-only.json", "native/good/alertname-alias.json", "native/good/node-agent.json",
        "native/good/resolved.json", "native/good/extra-fields-and-nulls.json", "native/good/numeric-timestamp.json",
        "native/good/dedup-key.json", "native/bad/not-json.txt", "native/bad/labels-not-object.json",
        "native/bad/truncated.json", "native/bad/bad-timestamp.json", "native/bad/bad-severity.json",
        "native/bad/missing-check-and-summary.json", "native/bad/check-not-string.json", "native/bad/bad-status.json",
        "native/bad/array.json", "native/bad/label-not-string.json",
    ]

    @Test("every fixture", arguments: fixtures)
    func fixture(path: String) throws {
        Self.expectSame(try Fixture.line(path))
    }

    @Test(
        "hand-picked edge cases",
        arguments: [
            #"{"check":"a","check":"b"}"#,  // the last repeated member wins
            #"{"ch\u0065ck":"escaped key","h\u006fst":"n1"}"#,  // keys with escapes
            #"{"check":"a","labels":{"k":"v","k":"w"}}"#,
            #"{"check":5,"status":[]}"#,  // two type errors: the reference's order decides
            #"{"status":7,"check":5}"#,
            #"{"check":5,"summary":"x","oops"}"#,  // a type error, then bad JSON
            #"{"unknown":{"deep":[1,2,{"x":null}]},"check":"c"}"#,
            #"{"check":"c"} trailing"#, #"{"check":"c"}}"#, #"{"check":"c",}"#, #"{,}"#, #"{}"#, #"  {"check":"c"}  "#,
            #"[]"#, #""string""#, #"42"#, #"null"#, "", " ", "{", #"{"check""#, #"{"check":"#,
            #"{"check":"\u00e9t\u00e9","host":"h\u00f6st"}"#, "{\"check\":\"caf\u{e9}\"}", "{\"ch\u{e9}ck\":\"x\",\"check\":\"y\"}",
            "{\"check\":\"a\u{1}\"}", "{\"che\u{1}ck\":\"a\"}", #"{"check":"c","timestamp":1767225600.5}"#,
            #"{"check":"c","timestamp":true}"#, #"{"check":"c","labels":null,"severity":null}"#,
            // labels are read straight into the alert when they are all strings; else as the parsed object
            #"{"check":"a","labels":{"k":"v"},"labels":{"k":1}}"#, #"{"check":"a","labels":{"k":1},"labels":{"k":"v"}}"#,
            #"{"check":"a","labels":{"k":"v"},"labels":null}"#, #"{"check":"a","labels":{"k":"v","n":{"x":"y"}}}"#,
            #"{"check":"a","labels":{}}"#, #"{"check":"a","labels":{"k":"v",}}"#, #"{"check":"a","labels":{"k":1,}}"#,
            #"{"check":"a","labels":"x"}"#, #"{"check":"a","labels":{"k":"\u00e9","k\u00e9":"w"}}"#,
        ])
    func edgeCase(text: String) {
        Self.expectSame(Array(text.utf8))
    }

    @Test("invalid UTF-8 in a key and in a value")
    func invalidUTF8() {
        Self.expectSame(Array(#"{"che"#.utf8) + [0xFF] + Array(#"ck":"a"}"#.utf8))
        Self.expectSame(Array(#"{"check":"a"#.utf8) + [0xC3] + Array(#""}"#.utf8))
        Self.expectSame(Array(#"{"check":"a","x"#.utf8) + [0xE2, 0x82] + Array(#"":1}"#.utf8))
    }

    @Test("every truncation and thousands of byte changes of a real alert")
    func mutations() throws {
        let original = try Fixture.line("native/good/node-agent.json")
        for length in 0...original.count { Self.expectSame(Array(original.prefix(length)), "prefix \(length)") }
        var generator = SplitMix64(seed: 42)
        let interesting: [UInt8] = Array(#"{}[]":,\"0 -.e tfn"#.utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        for round in 0..<3_000 {
            var bytes = original
            for _ in 0...(generator.next() % 3) {
                let position = Int(generator.next() % UInt64(bytes.count))
                let byte = interesting[Int(generator.next() % UInt64(interesting.count))]
                switch generator.next() % 3 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                default: bytes.remove(at: position)
                }
                if bytes.isEmpty { break }
            }
            Self.expectSame(bytes, "round \(round)")
        }
    }
}
