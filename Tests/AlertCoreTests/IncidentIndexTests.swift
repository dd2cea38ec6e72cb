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
        let fingerprints = (0..<12).map { "f\($0)" }
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

    @Test("a kept copy of a string is equal to it, short or long, ASCII or not")
    func keptCopy() {
        for text in ["", "short", "0123456789abcdef", "bench_check_123456", "straße-über-🚨-\(String(repeating: "x", count: 40))"] {
            #expect(text.keptCopy() == text)
            #expect(text.keptCopy().utf8.count == text.utf8.count)
        }
    }
}
