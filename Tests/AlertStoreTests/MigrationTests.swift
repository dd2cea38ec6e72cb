import Foundation
import GRDB
import Testing

@testable import AlertCore
@testable import AlertStore

@Suite("Store migrations")
struct MigrationTests {
    @Test("v4 keeps the fates a v3 store holds, and a later fate of the same alert replaces its row")
    func fatesSurviveV4() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        try FileManager.default.createDirectory(
            atPath: (database.path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        do {
            let queue = try DatabaseQueue(path: database.path)
            try SQLiteIncidentStore.migrator.migrate(queue, upTo: "v3: alert expiry (endsAt)")
            try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO fates (fingerprint, at, rule, severity, incident_id, decision, reasons)
                        VALUES ('fp-old', 1767225600000, 'disks', 2, 7, 'opened', '["opened incident #7"]')
                        """)
            }
        }
        let store = try SQLiteIncidentStore(path: database.path)
        let old = try #require(try store.fate(of: "fp-old", heldBy: nil))
        #expect(old.incidentID == 7 && old.rule == "disks" && old.decision == .opened)
        #expect(old.reasons == ["opened incident #7"])

        var changes = ChangeSet()
        changes.fates = [
            Fate(
                fingerprint: "fp-old", at: t0, rule: nil, severity: .sev2, incidentID: 7, decision: .deduplicated,
                reasons: ["repeat"])
        ]
        try store.apply(changes)
        #expect(try store.fate(of: "fp-old", heldBy: nil)?.decision == .deduplicated)
        let rows = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fates") }
        #expect(rows == 1)
    }

    @Test("v6 shortens 16-digit fingerprints: an alert firing before the upgrade finds its incident after it")
    func fingerprintsOf15Digits() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let disk = Alert(check: "disk_full", host: "node-1", labels: ["mount": "/"])
        let keyed = Alert(check: "cpu_high", host: "node-2", dedupKey: "cpu-node-2")
        // What a store written before 2026-12 holds: the same hash as 16 digits.
        let old = "f" + Fingerprint.of(disk)
        do {
            let store = try SQLiteIncidentStore(path: database.path)
            var engine = IncidentEngine()
            engine.ingest(disk, fingerprint: old, classification: sev2, now: t0)
            engine.take(keyed, at: t0 + 1)
            try store.apply(engine.takeChanges(now: t0 + 2))
            try store.pool.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v6:%'")
            }
        }
        let store = try SQLiteIncidentStore(path: database.path)
        let state = try store.loadEngineState(resolvedSince: t0)
        var engine = IncidentEngine(incidentsByID: state.incidents, nextID: state.nextID)
        let repeatFate = engine.take(disk, at: t0 + 10)
        #expect(repeatFate.decision == .deduplicated)
        #expect(repeatFate.incidentID == 1)
        #expect(engine.take(keyed, at: t0 + 11).incidentID == 2, "a dedup_key stays as it was")
        try store.apply(engine.takeChanges(now: t0 + 12))
        #expect(try store.incident(1)?.groupKey == "fp:" + Fingerprint.of(disk))
        #expect(try store.incident(1)?.alerts[Fingerprint.of(disk)]?.count == 2)
        #expect(try store.fate(of: Fingerprint.of(disk), in: engine)?.incidentID == 1)
        #expect(try store.fate(of: old, in: engine) == nil)
        #expect(try store.incidents(IncidentQuery()).count == 2)
    }
}
