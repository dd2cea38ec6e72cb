import Foundation
import GRDB
import Testing

@testable import AlertCore
@testable import AlertStore

/// Where an alert's fate is kept (on its row while its incident is active,
/// in `fates` otherwise) and that `explain` finds the last one either way.
@Suite("Alert fates: where they are kept, and explain")
final class FateTests {
    let database: TemporaryDatabase
    let store: SQLiteIncidentStore

    init() throws {
        database = try TemporaryDatabase()
        store = try SQLiteIncidentStore(path: database.path)
    }

    deinit { database.remove() }

    func fatesRows() throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM fates") ?? 0 }
    }

    @Test("a new incident's alert writes no fates row; once its incident is resolved by hand, its fate is there")
    func fateMovesWhenTheIncidentResolves() throws {
        var engine = IncidentEngine()
        let opened = engine.take(Alert(check: "disk_full", host: "node-1"), at: t0)
        try store.apply(engine.takeChanges(now: t0))
        #expect(try fatesRows() == 0)
        #expect(try store.fate(of: opened.fingerprint, in: engine) == opened.atMillis)
        #expect(try store.fate(of: opened.fingerprint, heldBy: nil) == nil, "only the engine's index leads to its row")

        try engine.resolve(1, by: "alice", note: nil, now: t0 + 1)
        try store.apply(engine.takeChanges(now: t0 + 1))
        #expect(engine.incident(holding: opened.fingerprint) == nil)
        #expect(try fatesRows() == 1)
        #expect(try store.fate(of: opened.fingerprint, heldBy: nil) == opened.atMillis)
    }

    @Test("a fate in fates newer than the one on the alert's row is the one explain gives")
    func newerFateWins() throws {
        var engine = IncidentEngine()
        let disk = Alert(check: "disk_full", host: "node-1")
        engine.take(disk, at: t0)
        try store.apply(engine.takeChanges(now: t0))
        var dropping = classified(.sev4)
        dropping.rule = "drop-all"
        dropping.dropped = true
        let dropped = engine.take(disk, dropping, at: t0 + 1)
        try store.apply(engine.takeChanges(now: t0 + 1))
        #expect(engine.incident(holding: dropped.fingerprint) == 1, "the alert is still on its incident")
        #expect(try store.fate(of: dropped.fingerprint, in: engine) == dropped.atMillis)
    }

    @Test("a batch's fate for a stored alert whose row it does not write goes on that row; without a row, to fates")
    func fateWithoutItsRowInTheBatch() throws {
        var engine = IncidentEngine()
        let opened = engine.take(Alert(check: "disk_full", host: "node-1"), at: t0)
        try store.apply(engine.takeChanges(now: t0))
        var later = ChangeSet()
        later.fates = [
            Fate(
                fingerprint: opened.fingerprint, at: t0 + 1, rule: "disks", severity: .sev1, incidentID: 1,
                decision: .paged, reasons: ["paged oncall"]),
            Fate(
                fingerprint: "0123456789abcde", at: t0 + 1, rule: nil, severity: .sev3, incidentID: 1,
                decision: .opened, reasons: ["no row for it"]),
        ]
        try store.apply(later)
        #expect(try store.fate(of: opened.fingerprint, heldBy: 1) == later.fates[0].atMillis)
        #expect(try store.fate(of: "0123456789abcde", heldBy: nil) == later.fates[1].atMillis)
        #expect(try fatesRows() == 1)
    }

    /// Alerts fire, repeat, resolve, are dropped, and their incidents are
    /// resolved by hand, a few per batch; after each commit `explain` says
    /// for every alert what the engine last decided.
    @Test("explain follows the engine's last decision for every alert", arguments: [1, 2, 3, 4] as [UInt64])
    func explainFollowsTheEngine(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var engine = IncidentEngine()
        let alerts = (0..<6).map { Alert(check: "check_\($0 % 3)", host: "node-\($0)") }
        // Half of them grouped by check, so an incident may hold two alerts.
        func classification(of index: Int) -> Classification {
            index < 3 ? classified(.sev2, groupBy: ["check"], groupRule: "by-check") : sev2
        }
        var dropping = classified(.sev4)
        dropping.rule = "drop-now-and-then"
        dropping.dropped = true
        var last: [String: Fate] = [:]
        var now = t0
        for batch in 0..<80 {
            for _ in 0..<random.next(below: 4) {
                now += 1
                let index = random.next(below: alerts.count)
                let alert = alerts[index]
                switch random.next(below: 6) {
                case 0:
                    let fate = engine.take(alert.resolved, classification(of: index), at: now)
                    last[fate.fingerprint] = fate
                case 1:
                    let fate = engine.take(alert, dropping, at: now)
                    last[fate.fingerprint] = fate
                case 2:
                    if let id = engine.incident(holding: Fingerprint.of(alert)) {
                        try engine.resolve(id, by: "alice", note: nil, now: now)
                    }
                default:
                    let fate = engine.take(alert, classification(of: index), at: now)
                    last[fate.fingerprint] = fate
                }
            }
            try store.apply(engine.takeChanges(now: now))
            for (fingerprint, fate) in last {
                #expect(try store.fate(of: fingerprint, in: engine) == fate.atMillis, "batch \(batch), seed \(seed)")
            }
        }
        #expect(last.count == alerts.count)
    }
}

extension SplitMix64 {
    /// In 0..<bound; the same sequence for the same seed, so a failure repeats.
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
