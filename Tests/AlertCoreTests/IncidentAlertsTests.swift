import AlertCore
import Foundation
import Testing

/// `IncidentAlerts` must behave as the `[String: IncidentAlert]` it replaces.
@Suite("IncidentAlerts behaves as a dictionary")
struct IncidentAlertsTests {
    static func alert(_ fingerprint: String, count: Int64 = 1) -> IncidentAlert {
        IncidentAlert(
            incidentID: 1, fingerprint: fingerprint, check: "check_\(fingerprint)", host: nil, source: nil, summary: nil,
            status: .firing, severity: .sev3, labels: [:], firstSeen: Date(timeIntervalSince1970: 0),
            lastSeen: Date(timeIntervalSince1970: 0), count: count)
    }

    static func same(_ alerts: IncidentAlerts, _ model: [String: IncidentAlert]) -> Bool {
        alerts.count == model.count && alerts.isEmpty == model.isEmpty && Set(alerts.keys) == Set(model.keys)
            && model.allSatisfy { alerts[$0.key] == $0.value } && alerts.allSatisfy { model[$0.key] == $0.value }
            && IncidentAlerts(model) == alerts
    }

    @Test("random inserts, updates and removals match a Dictionary's at every step")
    func matchesDictionary() {
        var generator = SplitMix64(seed: 6)
        var alerts = IncidentAlerts()
        var model: [String: IncidentAlert] = [:]
        for step in 0..<5_000 {
            let fingerprint = "fp\(generator.next() % 4)"  // few keys: 0, 1, 2 and more entries all happen
            let choice = generator.next() % 4
            if choice == 0 {
                alerts[fingerprint] = nil
                model[fingerprint] = nil
            } else if choice == 1 {  // changed in place, as a repeat does
                let found = alerts.update(fingerprint) { alert -> Int64 in
                    alert.count += 1
                    return alert.count
                }
                if model[fingerprint] != nil { model[fingerprint]!.count += 1 }
                #expect(found == model[fingerprint]?.count, "update's answer after step \(step)")
            } else {
                let value = Self.alert(fingerprint, count: Int64(step))
                alerts[fingerprint] = value
                model[fingerprint] = value
            }
            #expect(Self.same(alerts, model), "after step \(step)")
            if !Self.same(alerts, model) { return }
        }
    }

    @Test("a copy is a value: changing one leaves the other as it was", arguments: [1, 3])
    func copyOnWrite(size: Int) {
        var original = IncidentAlerts()
        for index in 0..<size { original["fp\(index)"] = Self.alert("fp\(index)") }
        var copy = original
        copy["fp0"]?.count = 99
        copy["new"] = Self.alert("new")
        #expect(original["fp0"]?.count == 1)
        #expect(original["new"] == nil)
        #expect(original.count == size)
        #expect(copy["fp0"]?.count == 99)
        #expect(copy.count == size + 1)
    }

    @Test("a copy is a value under an in-place update too", arguments: [1, 3])
    func updateCopyOnWrite(size: Int) {
        var original = IncidentAlerts()
        for index in 0..<size { original["fp\(index)"] = Self.alert("fp\(index)") }
        var copy = original
        #expect(copy.update("fp0") { $0.count = 99 } != nil)
        #expect(copy.update("absent") { $0.count = 7 } == nil)
        #expect(original["fp0"]?.count == 1)
        #expect(copy["fp0"]?.count == 99)
        #expect(copy["absent"] == nil && copy.count == size)
    }

    /// Every open alert is one of these in memory, a lone one in a box of
    /// its own: with the box's 16-byte header it must stay within
    /// jemalloc's 128-byte class (the next is 160).
    @Test("an alert is at most 112 bytes")
    func alertSize() {
        #expect(MemoryLayout<IncidentAlert>.size <= 112, "\(MemoryLayout<IncidentAlert>.size) bytes")
    }

    @Test("a lookup of another fingerprint finds nothing in a one-alert incident")
    func singleLookup() {
        let alerts: IncidentAlerts = ["a": Self.alert("a")]
        #expect(alerts["a"] != nil)
        #expect(alerts["b"] == nil)
        #expect(alerts.map(\.key) == ["a"])
    }
}

/// A small deterministic generator, so a failure replays.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
