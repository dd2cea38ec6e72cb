import Foundation
import GRDB
import Synchronization
import Testing

@testable import AlertCore
@testable import AlertStore

/// An engine that lets go of its quiet incidents and reads them back from
/// a real store must decide exactly as one that holds every incident.
@Suite("Incidents let go of and read back from the store")
final class ResidentIncidentsTests {
    let database: TemporaryDatabase

    init() throws { database = try TemporaryDatabase() }

    deinit { database.remove() }

    /// The store, counting the incidents read back through it.
    final class CountingSource: IncidentSource {
        let store: SQLiteIncidentStore
        let reads = Atomic<Int>(0)
        init(_ store: SQLiteIncidentStore) { self.store = store }

        func engineIncident(_ id: Int64) throws -> Incident? {
            reads.add(1, ordering: .relaxed)
            return try store.engineIncident(id)
        }

        func forEachIndexedIncident(paging: PagingPolicy, _ body: (IndexedIncident) throws -> Void) throws {
            try store.forEachIndexedIncident(paging: paging, body)
        }

        let batchReads = Atomic<Int>(0)
        func engineIncidents(_ ids: [Int64]) throws -> [Incident] {
            batchReads.add(1, ordering: .relaxed)
            return try store.engineIncidents(ids)
        }
    }

    static let paging = PagingPolicy(channelCounts: ["oncall": 1, "eng-manager": 1, "ticket": 1])

    /// A policy change half-way: SEV1 acknowledged within 5 minutes, escalating after 3, reminders every 10.
    static let stricter = PagingPolicy(
        policies: [
            .sev1: Policy(
                ackWithin: 5 * 60, steps: [EscalationStep(notify: ["oncall"]), EscalationStep(after: 3 * 60, notify: ["eng-manager"])],
                updateEvery: 10 * 60),
            .sev3: Policy(ackWithin: 20 * 60, steps: [EscalationStep(notify: ["oncall"]), EscalationStep(after: 7 * 60, notify: ["ticket"])]),
        ],
        channelCounts: ["oncall": 1, "eng-manager": 1, "ticket": 1])

    @Test("random alerts, resolves, expiries, commands, ticks and a policy change: the same fates, changes and counts", arguments: [1, 2, 3] as [UInt64])
    func sameDecisions(seed: UInt64) throws {
        let store = try SQLiteIncidentStore(path: database.path)
        let source = CountingSource(store)
        var reference = IncidentEngine(paging: Self.paging)
        var engine = IncidentEngine(paging: Self.paging)
        engine.source = source
        engine.residentLimit = 0  // everything not changed in the current batch is let go
        var random = SplitMix64(seed: seed)
        var now = start
        let mostLetGo = try drive(&reference, &engine, store: store, batches: 0..<150, policyChangeAt: 75, random: &random, now: &now)
        let reopened = try store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM timeline WHERE kind = 'reopened'") ?? 0
        }
        #expect(mostLetGo >= 10, "incidents were let go of")
        #expect(source.reads.load(ordering: .relaxed) >= 50, "and read back")
        #expect(reopened >= 5, "incidents let go of after their auto-resolve reopened")
    }

    @Test("after a restart that holds none of the active incidents, the same decisions as one that loaded them all", arguments: [4, 5] as [UInt64])
    func restartHoldingNone(seed: UInt64) throws {
        let store = try SQLiteIncidentStore(path: database.path)
        var random = SplitMix64(seed: seed)
        var now = start
        var first = IncidentEngine(paging: Self.paging)
        var alsoFirst = IncidentEngine(paging: Self.paging)
        alsoFirst.source = store
        _ = try drive(&first, &alsoFirst, store: store, batches: 0..<80, policyChangeAt: nil, random: &random, now: &now)

        // reopen_within reaches back over the last few batches, so some come back whole, to reopen.
        let since = now.addingTimeInterval(-IncidentSettings().reopenWithin)
        let all = try store.loadEngineState(resolvedSince: since)
        var reference = IncidentEngine(incidentsByID: all.incidents, nextID: all.nextID, paging: Self.paging, nextPageID: all.nextPageID)
        let source = CountingSource(store)
        var engine = try store.loadEngine(settings: IncidentSettings(), paging: Self.paging, resolvedSince: since)
        engine.source = source
        engine.residentLimit = 0
        #expect(engine.incidents.values.allSatisfy { !$0.state.isActive }, "no active incident held")
        #expect(engine.activeCounts == reference.activeCounts)
        #expect(engine.nextID == reference.nextID)
        #expect(engine.nextPageID == reference.nextPageID)

        _ = try drive(&reference, &engine, store: store, batches: 80..<160, policyChangeAt: 120, random: &random, now: &now)
        #expect(source.reads.load(ordering: .relaxed) >= 20, "incidents were read back")
    }

    let start = Date(timeIntervalSince1970: 1_767_225_600)

    /// Sends the same random alerts, resolves, commands and ticks to both
    /// engines, batch by batch, and checks they decide and change the same;
    /// `engine`'s changes are committed to `store`. Times are whole seconds:
    /// the store keeps milliseconds, so what is read back is exact. Returns
    /// the most incidents `engine` held fewer than `reference`.
    func drive(
        _ reference: inout IncidentEngine, _ engine: inout IncidentEngine, store: SQLiteIncidentStore, batches: Range<Int>,
        policyChangeAt: Int?, random: inout SplitMix64, now: inout Date
    ) throws -> Int {
        let severities: [Severity] = [.sev1, .sev2, .sev3, .sev4]
        let byHost = classified(.sev2, groupBy: ["host"], groupRule: "per-host")
        var mostLetGo = 0
        for batch in batches {
            if batch == policyChangeAt {
                reference.paging = Self.stricter
                engine.paging = Self.stricter
            }
            if let at = policyChangeAt, batch == at + 15 {  // moves when reopenable incidents are let go
                reference.settings.reopenWithin = 25 * 60
                engine.settings.reopenWithin = 25 * 60
            }
            for _ in 0..<(1 + random.next() % 6) {
                let n = random.next()
                let index = Int(n >> 8 % 40)
                let alert = Alert(
                    check: "check_\(index % 13)", host: "node-\(index % 5)", labels: ["n": "\(index)"],
                    endsAt: n % 11 == 0 ? now.addingTimeInterval(Double(60 * (1 + n % 5))) : nil)
                let classification = index % 4 == 0 ? byHost : classified(severities[Int(n >> 20 % 4)])
                let id = Int64(1 + (n >> 24) % max(1, UInt64(reference.nextID)))
                switch n % 16 {
                case 0..<7:
                    let fates = (reference.take(alert, classification, at: now), engine.take(alert, classification, at: now))
                    #expect(fates.0 == fates.1, "batch \(batch)")
                case 7..<10:
                    let fates = (reference.take(alert.resolved, classification, at: now), engine.take(alert.resolved, classification, at: now))
                    #expect(fates.0 == fates.1, "batch \(batch)")
                case 10:
                    #expect(
                        outcome { try reference.acknowledge(id, by: "alice", now: now) }
                            == outcome { try engine.acknowledge(id, by: "alice", now: now) })
                case 11:
                    #expect(
                        outcome { try reference.resolve(id, by: "bob", note: "fixed", now: now) }
                            == outcome { try engine.resolve(id, by: "bob", note: "fixed", now: now) })
                case 12:
                    let severity = severities[Int(n >> 40 % 4)]
                    #expect(
                        outcome { try reference.setSeverity(id, to: severity, reason: "r", by: "c", now: now) }
                            == outcome { try engine.setSeverity(id, to: severity, reason: "r", by: "c", now: now) })
                case 13:
                    let update = StatusUpdate(status: n >> 50 % 2 == 0 ? .investigating : .monitoring, impact: "i", next: "n", by: "d")
                    #expect(
                        outcome { try reference.postStatusUpdate(id, update, now: now) }
                            == outcome { try engine.postStatusUpdate(id, update, now: now) })
                case 14:
                    #expect(
                        outcome { try reference.assignRoles(id, ["ic": "erin"], by: "e", now: now) }
                            == outcome { try engine.assignRoles(id, ["ic": "erin"], by: "e", now: now) })
                default:
                    now = now.addingTimeInterval(Double(60 * (1 + n >> 32 % 12)))
                    reference.tick(now: now)
                    engine.tick(now: now)
                }
            }
            let expected = reference.takeChanges(now: now)
            let changes = engine.takeChanges(now: now)
            #expect(engine.sourceError == nil)
            #expect(changes.incidents.sorted { $0.id < $1.id } == expected.incidents.sorted { $0.id < $1.id }, "batch \(batch)")
            #expect(Self.sorted(changes.alerts) == Self.sorted(expected.alerts), "batch \(batch)")
            #expect(changes.timeline == expected.timeline, "batch \(batch)")
            #expect(changes.pages == expected.pages, "batch \(batch)")
            // The same fates written, but for repeats' fates that say what the
            // last one written for their alert said: an engine that let go of
            // an incident no longer knows what that was, and writes it again.
            #expect(expected.fates.allSatisfy { changes.fates.contains($0) }, "batch \(batch)")
            #expect(changes.fates.allSatisfy { expected.fates.contains($0) || $0.decision == .deduplicated }, "batch \(batch)")
            #expect(engine.activeCounts == reference.activeCounts, "batch \(batch)")
            try store.apply(changes)
            mostLetGo = max(mostLetGo, reference.incidents.count - engine.incidents.count)
        }
        return mostLetGo
    }

    /// "ok", or the command's refusal.
    func outcome(_ command: () throws -> Void) -> String {
        do {
            try command()
            return "ok"
        } catch {
            return "\(error)"
        }
    }

    static func sorted(_ alerts: [IncidentAlert]) -> [IncidentAlert] {
        alerts.sorted { ($0.incidentID, $0.fingerprint) < ($1.incidentID, $1.fingerprint) }
    }

    @Test("a batch resolving a thousand alerts of incidents let go of reads them back in one go")
    func batchReadBack() throws {
        let store = try SQLiteIncidentStore(path: database.path)
        let source = CountingSource(store)
        var engine = IncidentEngine()
        engine.source = source
        engine.residentLimit = 0
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        let alerts = (0..<1000).map { Alert(check: "probe_\($0)", host: "node-\($0 % 7)") }
        for alert in alerts { engine.take(alert, at: now) }
        try store.apply(engine.takeChanges(now: now))
        // Kept through the next time incidents are let go (changed since the one before); let go the time after.
        try store.apply(engine.takeChanges(now: now + 1))
        try store.apply(engine.takeChanges(now: now + 1))
        #expect(engine.incidents.isEmpty)

        engine.readBack(holding: alerts.map { Fingerprint.of($0) } + ["not-held-by-anyone"])
        #expect(engine.incidents.count == 1000)
        #expect(source.batchReads.load(ordering: .relaxed) == 1)
        for alert in alerts { #expect(engine.take(alert.resolved, at: now + 2).decision == .resolved) }
        #expect(source.reads.load(ordering: .relaxed) == 0, "no incident read one by one")
        #expect(engine.activeCounts[.sev2] == 0)
        try store.apply(engine.takeChanges(now: now + 2))
        #expect(try store.counts().byState[.resolved] == 1000)
    }

    @Test("a command on an incident let go of reads it back; an old resolved one is adopted as before")
    func commandsReadBack() throws {
        let store = try SQLiteIncidentStore(path: database.path)
        var engine = IncidentEngine()
        engine.source = store
        engine.residentLimit = 0
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        engine.take(Alert(check: "disk_full", host: "web-1"), at: now)
        engine.take(Alert(check: "cpu_high", host: "web-1"), at: now)
        try store.apply(engine.takeChanges(now: now))
        try engine.resolve(2, by: "alice", note: nil, now: now + 1)
        try store.apply(engine.takeChanges(now: now + 1))
        try store.apply(engine.takeChanges(now: now + 2))  // a batch without #1 or #2: both let go
        #expect(engine.incident(1) == nil)
        #expect(engine.incident(2) == nil)
        #expect(engine.activeCounts[.sev2] == 1, "still counted while let go")

        try engine.acknowledge(1, by: "bob", now: now + 3)
        #expect(engine.incident(1)?.state == .acknowledged)
        #expect(throws: IncidentCommandError.notFound(2)) { try engine.addNote(2, text: "late note", by: "carol", now: now + 3) }
        engine.adopt(try #require(try store.incident(2)))
        try engine.addNote(2, text: "late note", by: "carol", now: now + 3)
        try store.apply(engine.takeChanges(now: now + 3))
        #expect(try store.incident(1)?.acknowledgedBy == "bob")
        #expect(try store.timeline(of: 2).last?.detail == "carol: late note")
    }
}
