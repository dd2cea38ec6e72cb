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
        let old = try #require(try store.fate(of: "fp-old"))
        #expect(old.incidentID == 7 && old.rule == "disks" && old.decision == .opened)
        #expect(old.reasons == ["opened incident #7"])

        var changes = ChangeSet()
        changes.fates = [
            Fate(
                fingerprint: "fp-old", at: t0, rule: nil, severity: .sev2, incidentID: 7, decision: .deduplicated,
                reasons: ["repeat"])
        ]
        try store.apply(changes)
        #expect(try store.fate(of: "fp-old")?.decision == .deduplicated)
        let rows = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fates") }
        #expect(rows == 1)
    }
}
