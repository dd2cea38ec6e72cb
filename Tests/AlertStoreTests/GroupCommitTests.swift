import AlertCore
import Foundation
import GRDB
import Testing

@testable import AlertStore

@Suite("SQLiteIncidentStore group commit and WAL")
final class GroupCommitTests {
    let database: TemporaryDatabase

    init() throws { database = try TemporaryDatabase() }

    deinit { database.remove() }

    /// 10,000 hosts failing one probe, grouped by `check` into one incident.
    static func tenThousandAlerts() -> ChangeSet {
        let byCheck = classified(.sev2, groupBy: ["check"], groupRule: "probes")
        var engine = IncidentEngine()
        for index in 0..<10_000 {
            engine.take(Alert(check: "probe_failed", host: "host-\(index)"), byCheck, at: t0 + Double(index) / 1000)
        }
        return engine.takeChanges(now: t0 + 11)
    }

    func journalMode(of store: SQLiteIncidentStore) throws -> String? {
        try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    @Test("one apply with 10,000 alert rows is visible to a second store on the same file")
    func tenThousandRows() throws {
        let changes = Self.tenThousandAlerts()
        try #require(changes.alerts.count == 10_000)
        let writer = try SQLiteIncidentStore(path: database.path)
        let reader = try SQLiteIncidentStore(path: database.path)
        try writer.apply(changes)

        let incident = try #require(try reader.incident(1))
        #expect(incident.alerts.count == 10_000)
        #expect(incident.firingCount == 10_000)
        #expect(incident.occurrences == 10_000)
        #expect(incident.groupKey == #"probes{check="probe_failed"}"#)
        let summary = try #require(try reader.incidents(IncidentQuery()).first)
        #expect(summary.alertCount == 10_000)
        #expect(summary.firingCount == 10_000)
        #expect(try reader.timeline(of: 1).count == changes.timeline.count)
        #expect(try reader.fate(of: Fingerprint.of(Alert(check: "probe_failed", host: "host-9999")), heldBy: 1)?.incidentID == 1)
    }

    @Test("the database is in WAL mode, for every store opened on it")
    func walMode() throws {
        let first = try SQLiteIncidentStore(path: database.path)
        let second = try SQLiteIncidentStore(path: database.path)
        #expect(try journalMode(of: first) == "wal")
        #expect(try journalMode(of: second) == "wal")
        #expect(FileManager.default.fileExists(atPath: database.path + "-wal"))
    }

    @Test("commits are durable before apply returns: the writer runs with synchronous = FULL")
    func synchronousFull() throws {
        let store = try SQLiteIncidentStore(path: database.path)
        let writer = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        // GRDB's DatabasePool sets its writer to synchronous = NORMAL (1) when
        // it enables WAL; the store must put FULL (2) back.
        #expect(writer == 2, "the writer connection has synchronous = \(writer.map(String.init) ?? "nil")")
    }

    @Test("a reader keeps its snapshot while another store commits, and sees the commit afterwards")
    func readerSnapshot() throws {
        let writer = try SQLiteIncidentStore(path: database.path)
        let reader = try SQLiteIncidentStore(path: database.path)
        let changes = Self.tenThousandAlerts()
        let (before, during) = try reader.pool.read { db in
            let before = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incident_alerts")
            try writer.apply(changes)  // WAL: the writer is not blocked by the open read
            let during = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incident_alerts")
            return (before, during)
        }
        #expect(before == 0)
        #expect(during == 0, "a read transaction sees one snapshot")
        #expect(try reader.incidents(IncidentQuery()).first?.alertCount == 10_000)
    }
}

/// The log is copied into the database file by `WALCheckpointer`, not by
/// the writer's own checkpoint (which waits for `writerCheckpointPages`).
@Suite("WAL checkpoints on their own thread")
struct CheckpointTests {
    @Test("a commit far below the writer's checkpoint reaches the database file")
    func commitReachesTheDatabaseFile() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        let store = try SQLiteIncidentStore(path: database.path)
        func fileSize() throws -> Int {
            try FileManager.default.attributesOfItem(atPath: database.path)[.size] as? Int ?? 0
        }
        let before = try fileSize()
        let changes = GroupCommitTests.tenThousandAlerts()
        try store.apply(changes)
        let wal = try FileManager.default.attributesOfItem(atPath: database.path + "-wal")[.size] as? Int ?? 0
        try #require(wal / 4096 < SQLiteIncidentStore.writerCheckpointPages, "the writer would not checkpoint this")
        let deadline = Date().addingTimeInterval(10)
        while try fileSize() < before + wal / 2, Date() < deadline { usleep(10_000) }
        #expect(try fileSize() >= before + wal / 2, "the database file holds the batch (\(wal) bytes of log)")
    }
}

extension CheckpointTests {
    @Test("the checkpointer's thread ends when stopped, nudged or not", .timeLimit(.minutes(1)))
    func stopEndsTheThread() throws {
        let database = try TemporaryDatabase()
        defer { database.remove() }
        _ = try SQLiteIncidentStore(path: database.path)  // creates the file, in WAL mode
        for nudges in [0, 1, 50] {
            let checkpointer = try WALCheckpointer(path: database.path)
            checkpointer.start()
            for _ in 0..<nudges { checkpointer.nudge() }
            checkpointer.stop()
            checkpointer.nudge()  // after the end: nothing happens, nothing hangs
        }
    }
}
