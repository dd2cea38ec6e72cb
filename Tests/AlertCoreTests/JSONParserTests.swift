import Foundation
import Testing

@testable import AlertCore

/// The hand-written parser must accept exactly what a strict JSON parser
/// accepts: checked against Foundation's JSONSerialization on a table of
/// valid and malformed texts, and on values it must read right.
@Suite("JSON parser") struct JSONParserTests {
    static let texts: [String] = [
        #"{}"#, #"[]"#, #"{"a":1}"#, #" { "a" : [ 1 , 2.5 , -3e2 , true , false , null ] } "#,
        #"{"s":"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t"}"#, #""x""#, #"0"#, #"-0.0e+1"#, #"[[[]]]"#,
        #"{"a":"é😀"}"#, #"{"a":1,"a":2}"#,
        // malformed
        "", " ", #"{"#, #"}"#, #"{"a"}"#, #"{"a":}"#, #"{"a":1,}"#, #"[1,]"#, #"[,1]"#, #"{a:1}"#,
        #"{'a':1}"#, #"01"#, #"1."#, #".5"#, #"1e"#, #"+1"#, #"-"#, #"tru"#, #"nul"#, #"truex"#,
        #"{"a":1}x"#, #"{"a":1} {"b":2}"#, "{\"a\":\"tab\there\"}", #"{"a":"\x"}"#, #"{"a":"\u12"}"#,
        #"{"a":"\ud800"}"#, #"{"a":"\udc00x"}"#, #""unterminated"#, "// c\n{}", #"[1 2]"#, #"{"a" 1}"#,
        #"NaN"#, #"Infinity"#, #"[-]"#,
    ]

    /// Trailing commas: swift-foundation's JSONSerialization lets them
    /// through; RFC 8259 does not, and neither does alertd.
    static let stricterThanFoundation: Set<String> = [#"{"a":1,}"#, #"[1,]"#]

    @Test(arguments: texts)
    func acceptsExactlyWhatJSONSerializationAccepts(_ text: String) {
        let ours = (try? JSONParser.parse(Array(text.utf8))) != nil
        let foundation = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) != nil
        if Self.stricterThanFoundation.contains(text) {
            #expect(!ours, "\(text) is not JSON (RFC 8259)")
        } else {
            #expect(ours == foundation, "\(text): ours \(ours), JSONSerialization \(foundation)")
        }
    }

    @Test func invalidUTF8IsRefused() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect((try? JSONParser.parse(bytes)) == nil)
    }

    @Test func readsValuesRight() throws {
        let value = try JSONParser.parse(Array(#"{"s":"caf\u00e9 \ud83d\ude00\n","n":-12.5e1,"b":true,"z":null,"a":[1,{"k":"v"}],"s":"last"}"#.utf8))
        #expect(value["s"] == .string("last"))  // a repeated key: the last wins
        #expect(value["n"]?.double == -125)
        #expect(value["b"] == .bool(true))
        #expect(value["z"]?.isNull == true)
        #expect(value["a"] == .array([.number("1"), .object([("k", .string("v"))])]))
        guard case .object(let members) = value else { Issue.record("not an object"); return }
        #expect(members.first?.value == .string("café 😀\n"))
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect((try? JSONParser.parse(Array(fine.utf8))) != nil)
    }

    @Test func errorsSayWhatAndWhere() {
        do {
            _ = try JSONParser.parse(Array(#"{"a":1,}"#.utf8))
            Issue.record("accepted a trailing comma")
        } catch {
            #expect(error.description == "expected a string key at byte 7")
        }
    }

    @Test(
        "a number reads as the Double that strtod gives, integers of up to 15 digits included",
        arguments: [
            "0", "-0", "7", "-125", "1764700000000", "999999999999999", "-999999999999999", "1000000000000000",
            "12345678901234567890", "0.5", "-2.25", "1e3", "1E-2", "-0.0", "123456789012345.5",
        ])
    func numberAsDouble(literal: String) throws {
        let value = try #require(try JSONParser.parse(Array(literal.utf8)).double)
        let expected = try #require(Double(literal))
        #expect(value.bitPattern == expected.bitPattern, "\(literal): \(value) vs \(expected)")
    }

    @Test("random whole numbers up to 15 digits read exactly as strtod reads them")
    func randomWholeNumbers() throws {
        var random = SplitMix64(seed: 11)
        for _ in 0..<2000 {
            let digits = Int(random.next() % 15) + 1
            var literal = random.next() % 2 == 0 ? "-" : ""
            for position in 0..<digits {
                let digit = random.next() % 10
                literal += String(position == 0 && digits > 1 ? max(digit, 1) : digit)
            }
            let value = try #require(try JSONParser.parse(Array(literal.utf8)).double)
            #expect(value.bitPattern == Double(literal)!.bitPattern, "\(literal)")
        }
    }
}
