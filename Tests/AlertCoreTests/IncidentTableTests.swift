import AlertCore
import Foundation
import Testing

/// `IncidentTable` must behave as the `[Int64: Incident]` it replaces.
@Suite("IncidentTable behaves as a dictionary")
struct IncidentTableTests {
    static func incident(_ id: Int64, occurrences: Int64 = 0) -> Incident {
        Incident(
            id: id, title: "t\(id)", severity: .sev3, state: .open, groupKey: "g\(id)", rule: nil,
            openedAt: Date(timeIntervalSince1970: 0), occurrences: occurrences, lastSeen: Date(timeIntervalSince1970: 0))
    }

    @Test("random inserts, in-place updates and removals match a Dictionary's at every step")
    func matchesDictionary() {
        var generator = SplitMix64(seed: 7)
        var table = IncidentTable()
        var model: [Int64: Incident] = [:]
        for step in 0..<3_000 {
            let id = Int64(generator.next() % 50)
            switch generator.next() % 4 {
            case 0:
                #expect(table.removeValue(forKey: id) == model.removeValue(forKey: id))
            case 1:
                let changed = table.update(id) { $0.occurrences += 1 }
                model[id]?.occurrences += 1
                #expect((changed != nil) == (model[id] != nil))
            default:
                table[id] = Self.incident(id, occurrences: Int64(step))
                model[id] = Self.incident(id, occurrences: Int64(step))
            }
            let same = table.count == model.count && Set(table.keys) == Set(model.keys)
                && model.allSatisfy { table[$0.key] == $0.value } && table.allSatisfy { model[$0.key] == $0.value }
            #expect(same, "after step \(step)")
            if !same { return }
        }
    }

    @Test("a copy is a value: updating one in place leaves the other as it was")
    func copyOnWrite() {
        var original = IncidentTable()
        original[1] = Self.incident(1)
        var copy = original
        copy.update(1) { $0.occurrences = 5 }
        copy[1]?.title = "changed"
        #expect(original[1]?.occurrences == 0)
        #expect(original[1]?.title == "t1")
        #expect(copy[1]?.occurrences == 5)
        #expect(copy[1]?.title == "changed")
    }

    @Test("an engine is a value too: a copy does not see what the other ingests")
    func engineCopy() {
        var h = EngineHarness()
        let alert = Alert(check: "disk_full", host: "node-1")
        h.send(alert)
        let snapshot = h.engine
        h.advance(minutes: 1)
        h.send(alert)
        let engine = h.engine
        #expect(engine.incident(1)?.occurrences == 2)
        #expect(snapshot.incident(1)?.occurrences == 1)
        #expect(snapshot.incident(1)?.alerts[Fingerprint.of(alert)]?.count == 1)
    }
}

@Suite("inParallel")
struct InParallelTests {
    @Test("both closures run to the end and each result comes back in its place")
    func bothResults() {
        let (sum, words) = inParallel(
            { (1...100_000).reduce(0, +) },
            { (0..<1000).map { "w\($0)" }.joined(separator: " ") })
        #expect(sum == 5_000_050_000)
        #expect(words.split(separator: " ").count == 1000 && words.hasPrefix("w0 w1 "))
    }

    @Test("a handoff passes every value from one thread to the other, in order, then says it is finished")
    func handoff() {
        let handoff = Handoff<[Int]>()
        let (_, received) = inParallel(
            {
                for start in stride(from: 0, to: 20_000, by: 100) { handoff.put(Array(start..<start + 100)) }
                handoff.finish()
            },
            {
                var received: [Int] = []
                while let chunk = handoff.take() { received += chunk }
                return (received, handoff.take())
            })
        #expect(received.0 == Array(0..<20_000))
        #expect(received.1 == nil, "finished stays finished")
    }
}
