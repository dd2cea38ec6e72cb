import Foundation
import Testing

@testable import AlertCore

@Suite("ActiveIndex")
struct ActiveIndexTests {
    @Test("behaves as two dictionaries, by fingerprint and by group, over random changes")
    func matchesTwoDictionaries() {
        var random = SplitMix64(seed: 7)
        var index = ActiveIndex()
        var holders: [String: Int64] = [:]
        var groups: [String: Int64] = [:]  // keyed by the group's text
        // Computed fingerprints (15 hex digits) and dedup keys (any text) alike.
        let fingerprints = (0..<12).map { $0 % 2 == 0 ? "f\($0)" : String(format: "%015llx", (UInt64($0) &* 0x9e37_79b9_7f4a_7c15) >> 4) }
        func group(_ n: UInt64) -> IncidentGroup {
            // Fingerprint groups share keys with the holders; rule groups do not.
            n % 3 == 0 ? IncidentGroup(text: "rule{host=\"h\(n % 5)\"}") : IncidentGroup(byFingerprint: true, value: fingerprints[Int(n % 12)])
        }
        for step in 0..<4000 {
            let n = random.next()
            let id: Int64? = n % 4 == 0 ? nil : Int64(1 + n % 9)
            let fingerprint = fingerprints[Int((n >> 8) % 12)]
            if n % 2 == 0 {
                index[holding: fingerprint] = id
                holders[fingerprint] = id
            } else {
                let g = group(n >> 16)
                index[g] = id
                groups[g.description] = id
            }
            let probe = fingerprints[Int((n >> 24) % 12)]
            let probeGroup = group(n >> 32)
            #expect(index[holding: probe] == holders[probe], "step \(step)")
            #expect(index[probeGroup] == groups[probeGroup.description], "step \(step)")
            #expect(
                index.incident(holding: probe, orOf: probeGroup) == holders[probe] ?? groups[probeGroup.description],
                "step \(step)")
        }
    }

    @Test("a fingerprint group and a holder of the same fingerprint are kept apart")
    func holderAndGroupApart() {
        var index = ActiveIndex()
        let group = IncidentGroup(byFingerprint: true, value: "abc")
        index[group] = 1
        #expect(index[holding: "abc"] == nil)
        #expect(index.incident(holding: "abc", orOf: group) == 1)
        index[holding: "abc"] = 2
        #expect(index.incident(holding: "abc", orOf: group) == 2, "the holder first")
        index[holding: "abc"] = nil
        #expect(index[group] == 1, "clearing the holder leaves the group")
        index[group] = nil
        #expect(index.incident(holding: "abc", orOf: group) == nil)
    }

    @Test("a fingerprint map keys 15 hex digits by their number, any other text as it is, and never confuses two")
    func fingerprintMap() {
        #expect(Self.number("0000000000000ff") == 255)
        #expect(Self.number("fffffffffffffff") == UInt64.max >> 4)
        for text in [
            "0000000000000FF", "000000000000ff", "0000000000000fff", "0000000000000fg", "00000000000000ff", "",
            "disk-full-on-web-1",
        ] {
            #expect(Self.number(text) == nil, "\(text)")
        }
        var random = SplitMix64(seed: 11)
        var map = FingerprintMap<Int>()
        var reference: [String: Int] = [:]
        // Look-alikes on purpose: the same digits in upper case, one digit short, as a dedup key.
        let keys = (0..<16).flatMap { n -> [String] in
            let hex = String(format: "%015llx", (UInt64(n) &* 0x0123_4567_89ab_cdef) >> 4)
            return [hex, hex.uppercased(), String(hex.dropLast()), "key-\(hex)"]
        }
        for step in 0..<4000 {
            let n = random.next()
            let key = keys[Int(n % UInt64(keys.count))]
            switch n >> 60 {
            case 0..<6:
                map[key] = Int(step)
                reference[key] = Int(step)
            case 6..<9:
                map[key] = nil
                reference[key] = nil
            default:
                map.update(key, default: -1) { value in
                    value += 1
                    return value % 3 == 0
                }
                let value = (reference[key] ?? -1) + 1
                reference[key] = value % 3 == 0 ? nil : value
            }
            let probe = keys[Int((n >> 20) % UInt64(keys.count))]
            #expect(map[probe] == reference[probe], "step \(step)")
            #expect(map.count == reference.count, "step \(step)")
        }
        // What `Fingerprint.of` writes is what the map reads as a number.
        let alert = Alert(check: "disk_full", host: "web-1", labels: ["env": "prod"])
        let fingerprint = Fingerprint.of(alert)
        #expect(Self.number(fingerprint).map { String(format: "%015llx", $0) } == fingerprint)
        // From a row's bytes as from a string, and back to the same text.
        for text in [fingerprint, "00000000000000FF", "key-\(fingerprint)", "straße", ""] {
            let key = Array(text.utf8).withUnsafeBufferPointer { FingerprintKey(utf8: $0) }
            #expect(key.text == text)
            #expect(FingerprintKey(text).text == text)
        }
        if case .number = FingerprintKey(fingerprint) {} else { Issue.record("a computed fingerprint is keyed by its number") }
    }

    /// The number a fingerprint is keyed by, if it is one.
    static func number(_ fingerprint: String) -> UInt64? {
        if case .number(let number) = FingerprintKey(fingerprint) { return number }
        return nil
    }

    @Test("a kept copy of a string is equal to it, short or long, ASCII or not")
    func keptCopy() {
        for text in ["", "short", "0123456789abcdef", "bench_check_123456", "straße-über-🚨-\(String(repeating: "x", count: 40))"] {
            #expect(text.keptCopy() == text)
            #expect(text.keptCopy().utf8.count == text.utf8.count)
        }
    }
}
