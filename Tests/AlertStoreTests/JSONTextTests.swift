import AlertCore
import Foundation
import Testing

@testable import AlertStore

/// The hand-written encoders write what Foundation's would read back, and
/// the hand-written decoders read it as Foundation's would.
@Suite("JSON text columns") struct JSONTextTests {
    @Test(arguments: [
        [:], ["team": "storage"], ["b": "2", "a": "1"], ["quote\"key": "back\\slash", "ctl": "tab\tnew\nline\u{1}", "é": "😀 /"],
    ] as [[String: String]])
    func labelsRoundTrip(_ labels: [String: String]) {
        #expect(JSONText.decodeMap(JSONText.encode(labels)) == labels)
        let foundation = try? JSONSerialization.jsonObject(with: Data(JSONText.encode(labels).utf8)) as? [String: String]
        #expect(foundation == labels)
    }

    @Test("texts without escapes are written as the escaping writer writes them, and read back by Foundation")
    func plainTextsFastPath() throws {
        var random = SplitMix64(seed: 7)
        let pieces = ["", "a", "team", "storage", "ünïcødé", "🚨 page", "with space", "/path/x", "0123456789abcdef0123"]
        for _ in 0..<500 {
            var map: [String: String] = [:]
            var list: [String] = []
            for _ in 0..<Int(random.next() % 6) {
                let key = pieces[Int(random.next() % UInt64(pieces.count))] + String(random.next() % 10)
                let value = pieces[Int(random.next() % UInt64(pieces.count))]
                map[key] = value
                list.append(value)
            }
            if !map.isEmpty {
                #expect(JSONText.encode(map) == JSONText.escapedString(map))
                let foundation = try JSONSerialization.jsonObject(with: Data(JSONText.encode(map).utf8)) as? [String: String]
                #expect(foundation == map)
            }
            #expect(JSONText.encode(list) == JSONText.escapedString(list))
            #expect(try JSONSerialization.jsonObject(with: Data(JSONText.encode(list).utf8)) as? [String] == list)
        }
    }

    @Test func listsRoundTrip() {
        let list = ["plain", "with \"quotes\"", "new\nline", ""]
        #expect(JSONText.decodeList(JSONText.encode(list)) == list)
    }

    @Test func escalationStateIsWrittenAsJSONEncoderWritesIt() {
        var state = EscalationState(level: .sev1, startedAt: Date(timeIntervalSince1970: 1_767_225_600.123), nextStep: 2)
        state.notified = ["oncall", "eng-manager"]
        state.breached = true
        #expect(JSONText.encode(state) == JSONText.encodeValue(state))
        state.lastUpdateAt = Date(timeIntervalSince1970: 1_767_225_700)
        state.lastReminderAt = Date(timeIntervalSince1970: 1_767_225_800)
        #expect(JSONText.encode(state) == JSONText.encodeValue(state))
        let back = JSONText.decodeValue(EscalationState.self, JSONText.encode(state))
        #expect(back?.notified == state.notified && back?.nextStep == 2 && back?.level == .sev1)
    }

    @Test func escalationStateIsReadAsJSONDecoderReadsIt() {
        var state = EscalationState(level: .sev2, startedAt: Date(timeIntervalSince1970: 1_767_225_600.123), nextStep: 1)
        #expect(JSONText.decodeEscalation(JSONText.encode(state)) == JSONText.decodeValue(EscalationState.self, JSONText.encode(state)))
        state.notified = ["oncall", "with \"quotes\""]
        state.breached = true
        state.lastUpdateAt = Date(timeIntervalSince1970: 1_767_225_700.5)
        state.lastReminderAt = Date(timeIntervalSince1970: 1_767_225_800)
        let decoded = JSONText.decodeEscalation(JSONText.encode(state))
        #expect(decoded != nil)
        #expect(decoded == JSONText.decodeValue(EscalationState.self, JSONText.encode(state)))
        #expect(JSONText.decodeEscalation(#"{"level":"SEV9"}"#) == nil)
        #expect(JSONText.decodeEscalation(nil) == nil)
    }

    /// The parser's reading of `text`, bypassing the fast path.
    static func parsed(_ text: String) -> EscalationState? {
        // The fast path reads nothing with whitespace in it; the parser skips it.
        JSONText.decodeEscalation(" " + text)
    }

    @Test("escalation states in the store's own format are read without the parser, exactly as the parser reads them")
    func ownFormatFastPath() {
        var random = SplitMix64(seed: 42)
        let receivers = ["oncall", "eng-manager", "", "ünïcødé 🚨", "with \"quotes\"", "back\\slash", "tab\there", "x"]
        var fast = 0
        for _ in 0..<500 {
            let n = random.next()
            var state = EscalationState(
                level: Severity.allCases[Int(n % 4)], startedAt: Date(timeIntervalSince1970: Double(n >> 24 % 2_000_000_000_000) / 1000),
                nextStep: Int(n >> 8 % 4))
            state.breached = n >> 12 % 2 == 0
            if n >> 14 % 3 == 0 { state.lastUpdateAt = Date(timeIntervalSince1970: Double(n >> 20 % 1_000_000_000)) }
            if n >> 16 % 3 == 0 { state.lastReminderAt = Date(timeIntervalSince1970: Double(n >> 28 % 1_000_000_000) / 1000) }
            let count = Int((n >> 30) % 4)
            state.notified = (0..<count).map { (item: Int) -> String in
                let shift = UInt64(34 + 3 * item)
                return receivers[Int((n >> shift) % UInt64(receivers.count))]
            }
            let text = JSONText.encode(state)
            let own = text.utf8.withContiguousStorageIfAvailable { JSONText.decodeOwnEscalation($0) } ?? nil
            #expect(Self.parsed(text) == JSONText.decodeValue(EscalationState.self, text), "\(text)")
            if state.notified.allSatisfy({ !$0.contains("\"") && !$0.contains("\\") && !$0.contains("\t") }) {
                #expect(own == Self.parsed(text), "\(text)")
                fast += 1
            } else {
                #expect(own == nil, "escapes are the parser's: \(text)")
            }
            // Every one-byte change: the fast path reads it as the parser does, or leaves it to the parser.
            var bytes = Array(text.utf8)
            let position = Int(n >> 40 % UInt64(bytes.count))
            for replacement in [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: " "), 0xFF] {
                bytes[position] = replacement
                let changed = bytes.withUnsafeBufferPointer { JSONText.decodeOwnEscalation($0) }
                if let changed { #expect(changed == Self.parsed(String(decoding: bytes, as: UTF8.self)), "\(bytes)") }
            }
        }
        #expect(fast > 100, "most states took the fast path")
        let stored = #"{"breached":false,"level":"SEV3","nextStep":1,"notified":["oncall"],"startedAt":1796218552588}"#
        #expect(stored.utf8.withContiguousStorageIfAvailable { JSONText.decodeOwnEscalation($0) } != nil, "as a store holds it")
    }
}
