import AlertCore
import Foundation
import GRDB
import Testing

@testable import AlertStore

/// After a restart the engine is rebuilt from the store alone.
@Suite("SQLiteIncidentStore engine state across a restart")
final class EngineStateTests {
    let database: TemporaryDatabase

    init() throws { database = try TemporaryDatabase() }

    deinit { database.remove() }

    /// Opens a store, lets `write` fill it, and makes sure the store is gone
    /// (connections closed) before returning, as when the process exits.
    func inFirstRun(_ write: (SQLiteIncidentStore) throws -> Void) throws {
        weak var closed: SQLiteIncidentStore?
        try {
            let store = try SQLiteIncidentStore(path: database.path)
            closed = store
            try write(store)
        }()
        try #require(closed == nil, "the first run's store is still alive")
    }

    @Test("a new store on the same file gives back the active incidents, and dedup state survives")
    func reopenAfterExit() throws {
        let disk = Alert(check: "disk_full", host: "node-1", labels: ["mount": "/"])
        let cpu = Alert(check: "cpu_high", host: "node-2")
        let load = Alert(check: "load_high", host: "node-2")
        var engine = IncidentEngine()
        engine.take(disk, at: t0)
        engine.take(cpu, at: t0 + 1)
        engine.take(disk, at: t0 + 2)
        engine.take(load, classified(.sev1), at: t0 + 3)
        engine.take(load.resolved, at: t0 + 4)  // #3 auto-resolves
        let changes = engine.takeChanges(now: t0 + 5)
        try inFirstRun { try $0.apply(changes) }

        let store = try SQLiteIncidentStore(path: database.path)
        let state = try store.loadEngineState(resolvedSince: t0 + 5 - 15 * 60)
        let loaded = state.incidents.values.sorted { $0.id < $1.id }
        let expected = engine.incidents.values.sorted { $0.id < $1.id }.map(\.atMillis)
        #expect(loaded.map(\.id) == [1, 2, 3])
        #expect(loaded == expected)
        #expect(loaded.map(\.firingCount) == [1, 1, 0])
        #expect(loaded.first?.alerts[Fingerprint.of(disk)]?.count == 2)
        #expect(state.nextID == 4)
        #expect(state.nextID == engine.nextID)

        var revived = IncidentEngine(incidentsByID: state.incidents, nextID: state.nextID)
        let repeatFate = revived.take(disk, at: t0 + 10)
        #expect(repeatFate.decision == .deduplicated)
        #expect(repeatFate.incidentID == 1)
        let newFate = revived.take(Alert(check: "swap_full", host: "node-1"), at: t0 + 11)
        #expect(newFate.decision == .opened)
        #expect(newFate.incidentID == 4)
        try store.apply(revived.takeChanges(now: t0 + 12))

        let afterRepeat = try #require(try store.incident(1))
        #expect(afterRepeat.occurrences == 3)
        #expect(afterRepeat.alerts[Fingerprint.of(disk)]?.count == 3)
        #expect(afterRepeat.alerts.count == 1)
        #expect(try store.incidents(IncidentQuery()).map(\.incident.id) == [4, 2, 1])
    }

    @Test("nextID follows the highest id ever used, resolved incidents included")
    func nextIDAfterResolved() throws {
        var engine = IncidentEngine()
        for index in 1...3 { engine.take(Alert(check: "check_\(index)"), at: t0) }
        try engine.resolve(3, by: "alice", note: nil, now: t0 + 1)
        let changes = engine.takeChanges(now: t0 + 2)
        try inFirstRun { try $0.apply(changes) }

        let state = try SQLiteIncidentStore(path: database.path).loadEngineState(resolvedSince: t0)
        #expect(Set(state.incidents.values.map(\.id)) == [1, 2])
        #expect(state.nextID == 4)
    }

    @Test("an alert's endsAt is stored, so it still expires after a restart")
    func expiryIsStored() throws {
        var engine = IncidentEngine()
        engine.take(Alert(check: "AlwaysFiring", endsAt: t0 + 30, format: "alertmanager"), at: t0)
        engine.take(Alert(check: "disk_full"), at: t0)
        try inFirstRun { try $0.apply(engine.takeChanges(now: t0)) }

        let state = try SQLiteIncidentStore(path: database.path).loadEngineState(resolvedSince: t0)
        let alerts = state.incidents.values.sorted { $0.id < $1.id }.map { $0.alerts.values.first?.expiresAt }
        #expect(alerts == [millis(t0 + 30), nil])
        var restarted = IncidentEngine(incidentsByID: state.incidents, nextID: state.nextID)
        restarted.tick(now: t0 + 31)
        #expect(restarted.incident(1)?.state == .resolved)
        #expect(restarted.incident(2)?.state == .open)
    }

    /// Prometheus moves `endsAt` on every resend; a resend that only
    /// repeated is written by its counts (v9), expiry included.
    @Test("an expiry a repeat moved is the one start-up schedules")
    func repeatMovedExpiry() throws {
        let firing = Alert(check: "AlwaysFiring", endsAt: t0 + 30, format: "alertmanager")
        var engine = IncidentEngine()
        engine.take(firing, at: t0)
        try inFirstRun { try $0.apply(engine.takeChanges(now: t0)) }
        var resent = firing
        resent.endsAt = t0 + 60
        engine.take(resent, at: t0 + 10)
        let changes = engine.takeChanges(now: t0 + 10)
        #expect(changes.alerts.isEmpty && changes.alertCounts.map(\.expiresAt) == [t0 + 60])
        try inFirstRun { try $0.apply(changes) }

        let store = try SQLiteIncidentStore(path: database.path)
        for loaded in try [
            store.loadEngine(settings: IncidentSettings(), paging: PagingPolicy(), resolvedSince: t0),
            IncidentEngine(incidentsByID: store.loadEngineState(resolvedSince: t0).incidents),
        ] {
            var restarted = loaded
            restarted.tick(now: t0 + 31)
            #expect(restarted.takeChanges(now: t0 + 31).timeline.isEmpty, "nothing expires at the first endsAt")
            restarted.tick(now: t0 + 61)
            #expect(restarted.incident(1)?.state == .resolved)
        }
    }

    @Test("an empty store starts at id 1")
    func emptyStore() throws {
        let state = try SQLiteIncidentStore(path: database.path).loadEngineState(resolvedSince: t0)
        #expect(state.incidents.isEmpty)
        #expect(state.nextID == 1)
    }

    /// #1 auto-resolved at +60 s, #2 auto-resolved at +10 s, #3 resolved by
    /// hand at +50 s, #4 still open.
    func resolvedInVariousWays() throws -> IncidentEngine {
        var engine = IncidentEngine()
        for name in ["late", "early", "manual", "active"] { engine.take(Alert(check: name), at: t0) }
        engine.take(Alert(check: "early").resolved, at: t0 + 10)
        try engine.resolve(3, by: "alice", note: "fixed by hand", now: t0 + 50)
        engine.take(Alert(check: "late").resolved, at: t0 + 60)
        let changes = engine.takeChanges(now: t0 + 61)
        try inFirstRun { try $0.apply(changes) }
        return engine
    }

    @Test(
        "auto-resolved incidents come back from resolvedSince on; manually resolved ones never",
        arguments: [
            (5.0, [1, 2, 4]),
            (10.0, [1, 2, 4]),  // resolved exactly at resolvedSince: included
            (30.0, [1, 4]),
            (60.0, [1, 4]),
            (61.0, [4]),
        ] as [(Double, Set<Int64>)])
    func resolvedSince(since: Double, ids: Set<Int64>) throws {
        let engine = try resolvedInVariousWays()
        let state = try SQLiteIncidentStore(path: database.path).loadEngineState(resolvedSince: t0 + since)
        #expect(Set(state.incidents.values.map(\.id)) == ids)
        for incident in state.incidents.values {
            #expect(incident == engine.incident(incident.id)?.atMillis)
        }
        #expect(state.nextID == 5)
    }

    @Test("an auto-resolved incident within reopen_within reopens after a restart; older ones do not")
    func reopenAcrossRestart() throws {
        _ = try resolvedInVariousWays()
        let store = try SQLiteIncidentStore(path: database.path)
        let state = try store.loadEngineState(resolvedSince: t0 + 30)
        var revived = IncidentEngine(incidentsByID: state.incidents, nextID: state.nextID)

        let late = revived.take(Alert(check: "late"), at: t0 + 90)
        #expect(late.decision == .opened)
        #expect(late.incidentID == 1, "the recently auto-resolved incident reopens")
        let early = revived.take(Alert(check: "early"), at: t0 + 91)
        #expect(early.incidentID == 5, "an incident resolved before resolvedSince is not reopened")
        let manual = revived.take(Alert(check: "manual"), at: t0 + 92)
        #expect(manual.incidentID == 6, "a manually resolved incident is not reopened")
        try store.apply(revived.takeChanges(now: t0 + 93))

        #expect(try store.incident(1)?.state == .open)
        #expect(try store.timeline(of: 1).suffix(2).map(\.kind) == [.reopened, .alertAttached])
        #expect(try store.incident(3)?.state == .resolved)
        #expect(try store.incidents(IncidentQuery()).map(\.incident.id) == [6, 5, 4, 1])
    }

    @Test("hundreds of incidents, some holding several alerts, come back whole and still deduplicate every alert")
    func manyIncidentsAcrossRestart() throws {
        var engine = IncidentEngine()
        let byHost = classified(.sev2, groupBy: ["host"], groupRule: "per-host")
        var alerts: [(Alert, Classification)] = []
        for index in 0..<300 {
            // A third grouped by host, three alerts to a host; the rest one alert each.
            if index % 3 == 0 {
                for check in ["disk", "cpu", "load"] {
                    alerts.append((Alert(check: check, host: "grouped-\(index)", labels: ["n": "\(index)"]), byHost))
                }
            } else {
                alerts.append((Alert(check: "probe_\(index)", host: "node-\(index % 7)"), classified(.sev3)))
            }
        }
        for (offset, (alert, classification)) in alerts.enumerated() {
            engine.take(alert, classification, at: t0 + Double(offset) / 1000)
        }
        for index in stride(from: 1, to: 300, by: 30) { engine.take(Alert(check: "probe_\(index)", host: "node-\(index % 7)").resolved, at: t0 + 1) }
        let changes = engine.takeChanges(now: t0 + 2)
        try inFirstRun { try $0.apply(changes) }

        let state = try SQLiteIncidentStore(path: database.path).loadEngineState(resolvedSince: t0)
        #expect(state.incidents.count == engine.incidents.count)
        for (id, incident) in engine.incidents {
            #expect(state.incidents[id] == incident.atMillis, "incident #\(id)")
        }
        var revived = IncidentEngine(incidentsByID: state.incidents, nextID: state.nextID)
        #expect(revived.activeCounts == engine.activeCounts)
        for (alert, classification) in alerts {
            let fate = revived.take(alert, classification, at: t0 + 3)
            let holder = engine.incidents.values.first { $0.alerts[Fingerprint.of(alert)] != nil }
            if holder?.state == .resolved {
                #expect(fate.decision == .opened && fate.incidentID == holder?.id, "the auto-resolved incident reopens")
            } else {
                #expect(fate.decision == .deduplicated && fate.incidentID == holder?.id)
            }
        }
        #expect(revived.nextID == engine.nextID, "no alert opened a new incident")
    }

    @Test("start-up finds its incidents and their alerts through indexes, not by reading every incident ever stored")
    func startUpReadsByIndex() throws {
        let store = try SQLiteIncidentStore(path: database.path)
        let queries = [
            SQLiteIncidentStore.engineIncidents(
                selecting: "SELECT \(SQLiteIncidentStore.engineIncidentColumns) FROM \(SQLiteIncidentStore.incidentsWithCounts)"),
            "SELECT \(SQLiteIncidentStore.engineAlertColumns) FROM \(SQLiteIncidentStore.alertsWithCounts) WHERE incident_id IN (\(SQLiteIncidentStore.engineIncidents(selecting: "SELECT id FROM incidents")))",
            SQLiteIncidentStore.indexedIncidentsSQL, SQLiteIncidentStore.activeAlertsSQL,
        ]
        for query in queries {
            let plan = try store.pool.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + query, arguments: ["since": 0]).map { $0["detail"] as String }
            }
            #expect(!plan.isEmpty)
            #expect(plan.allSatisfy { !$0.hasPrefix("SCAN") }, "\(plan)")
        }
    }
}
