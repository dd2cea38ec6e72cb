import AlertCore
import Foundation
import GRDB
import Testing

@testable import AlertStore

/// What an engine hands over is what the store gives back.
@Suite("SQLiteIncidentStore apply and read back")
final class ApplyTests {
    let database: TemporaryDatabase
    let store: SQLiteIncidentStore

    let disk = Alert(
        check: "disk_full", summary: "disk / is 97% full", host: "node-1", source: "agent",
        labels: ["mount": "/", "team": "storage"])
    let cpu = Alert(check: "cpu_high", host: "node-2")
    let memory = Alert(check: "mem_low", summary: "memory low", host: "node-3")

    init() throws {
        database = try TemporaryDatabase()
        store = try SQLiteIncidentStore(path: database.path)
    }

    deinit { database.remove() }

    /// Three incidents: #1 disk (fired twice), #2 cpu, #3 memory (fired, then auto-resolved).
    func ingestThree(into engine: inout IncidentEngine) -> ChangeSet {
        engine.take(disk, at: t0)
        engine.take(cpu, at: t0 + 1)
        engine.take(disk, at: t0 + 2)
        engine.take(memory, at: t0 + 3)
        engine.take(memory.resolved, at: t0 + 4)
        return engine.takeChanges(now: t0 + 5)
    }

    @Test("a repeat's fate is written once; explain's time is then its alert's last repeat")
    func repeatFateWrittenOnce() throws {
        var engine = IncidentEngine()
        let fingerprint = Fingerprint.of(cpu)
        func commit(_ alert: Alert, at now: Date) throws -> ChangeSet {
            engine.take(alert, at: now)
            let changes = engine.takeChanges(now: now)
            try store.apply(changes)
            return changes
        }
        #expect(try commit(cpu, at: t0).fates.map(\.decision) == [.opened])
        #expect(try commit(cpu, at: t0 + 10).fates.map(\.decision) == [.deduplicated])  // the first repeat says something new
        #expect(try commit(cpu, at: t0 + 20).fates.isEmpty)  // the same again: not written
        #expect(try commit(cpu, at: t0 + 30).fates.isEmpty)
        let fate = try #require(try store.fate(of: fingerprint, in: engine))
        #expect(fate.decision == .deduplicated)
        #expect(fate.at == Date(timeIntervalSince1970: ((t0 + 30).timeIntervalSince1970 * 1000).rounded() / 1000))
        #expect(fate.reasons.last?.hasPrefix("repeat of an alert already firing") == true)

        // Another fate in between is written, and so is the repeat after it.
        #expect(try commit(cpu.resolved, at: t0 + 40).fates.map(\.decision) == [.resolved])
        #expect(try store.fate(of: fingerprint, in: engine)?.decision == .resolved)
        #expect(try commit(cpu, at: t0 + 50).fates.map(\.decision) == [.opened])  // reopened
        #expect(try commit(cpu, at: t0 + 60).fates.map(\.decision) == [.deduplicated])
        #expect(try commit(cpu, at: t0 + 70).fates.isEmpty)
        #expect(try store.fate(of: fingerprint, in: engine)?.at == Date(timeIntervalSince1970: ((t0 + 70).timeIntervalSince1970 * 1000).rounded() / 1000))
    }

    @Test("incidents, alerts, timelines, fates and counts read back as the engine has them")
    func readBack() throws {
        var engine = IncidentEngine()
        let changes = ingestThree(into: &engine)
        try #require(changes.incidents.count == 3)
        try store.apply(changes)

        for id: Int64 in 1...3 {
            let expected = try #require(changes.incidents.first { $0.id == id })
            #expect(try store.incident(id) == expected.atMillis)
            #expect(engine.incident(id) == expected.withoutTexts, "the engine keeps what decisions need")
            #expect(try store.timeline(of: id) == changes.timeline.filter { $0.incidentID == id }.map(\.atMillis))
        }
        let diskIncident = try #require(try store.incident(1))
        #expect(diskIncident.occurrences == 2)
        #expect(diskIncident.alerts[Fingerprint.of(disk)]?.count == 2)
        #expect(diskIncident.alerts[Fingerprint.of(disk)]?.labels == ["mount": "/", "team": "storage"])
        #expect(try store.timeline(of: 3).map(\.kind) == [.opened, .alertAttached, .alertResolved, .resolved, .postmortemDue])
        #expect(try store.incident(3)?.autoResolved == true)
        #expect(try store.incident(3)?.firingCount == 0)

        let listed = try store.incidents(IncidentQuery())
        #expect(listed.map(\.incident.id) == [2, 1])
        for summary in listed {
            let expected = try #require(changes.incidents.first { $0.id == summary.incident.id })
            #expect(summary.incident == expected.atMillis.withoutAlerts)
            #expect(summary.alertCount == expected.alerts.count)
            #expect(summary.firingCount == expected.firingCount)
        }

        #expect(changes.fates.count == 3)
        for fate in changes.fates {
            #expect(try store.fate(of: fate.fingerprint, in: engine) == fate.atMillis)
        }
        #expect(try store.fate(of: Fingerprint.of(disk), in: engine)?.decision == .deduplicated)
        #expect(try store.fate(of: Fingerprint.of(memory), in: engine)?.decision == .resolved)

        let counts = try store.counts()
        #expect(counts.activeBySeverity == [.sev1: 0, .sev2: 2, .sev3: 0, .sev4: 0])
        #expect(counts.activeBySeverity[.sev2] == engine.activeCounts[.sev2])
        #expect(counts.byState == [.open: 2, .acknowledged: 0, .mitigated: 0, .resolved: 1])
    }

    @Test("the engine forgets written texts; the store keeps them, and a repeat's new summary replaces the stored one")
    func summaryAfterForgetting() throws {
        var engine = IncidentEngine()
        engine.take(disk, classified(.sev2, groupBy: ["host"], groupRule: "disks"), at: t0)
        try store.apply(engine.takeChanges(now: t0))
        let fingerprint = Fingerprint.of(disk)
        #expect(engine.incident(1)?.alerts[fingerprint]?.holdsTexts == false)
        #expect(engine.incident(1)?.title == "")
        #expect(engine.incident(1)?.rule == nil)

        var fuller = disk
        fuller.summary = "disk / is 99% full"
        engine.take(fuller, classified(.sev2, groupBy: ["host"], groupRule: "disks"), at: t0 + 1)
        try store.apply(engine.takeChanges(now: t0 + 1))
        #expect(try store.incident(1)?.alerts[fingerprint]?.summary == "disk / is 99% full")

        var silent = disk
        silent.summary = nil
        engine.take(silent, classified(.sev2, groupBy: ["host"], groupRule: "disks"), at: t0 + 2)
        try store.apply(engine.takeChanges(now: t0 + 2))
        let stored = try #require(try store.incident(1)?.alerts[fingerprint])
        #expect(stored.summary == "disk / is 99% full")
        #expect(stored.count == 3)
        #expect(stored.labels == ["mount": "/", "team": "storage"])
        #expect(try store.incident(1)?.title == "node-1: disk / is 97% full")
        #expect(try store.incident(1)?.rule == "disks")
    }

    @Test("unknown ids and fingerprints read back as nothing")
    func unknown() throws {
        #expect(try store.incident(42) == nil)
        #expect(try store.timeline(of: 42).isEmpty)
        #expect(try store.fate(of: "0123456789abcde", heldBy: nil) == nil)
        #expect(try store.incidents(IncidentQuery()).isEmpty)
        #expect(try store.counts().byState.values.allSatisfy { $0 == 0 })
    }

    @Test("a later apply updates incidents and alerts in place and appends to the timeline")
    func laterApply() throws {
        var engine = IncidentEngine()
        try store.apply(ingestThree(into: &engine))

        try engine.acknowledge(1, by: "alice", now: t0 + 60)
        engine.take(disk, at: t0 + 61)
        try engine.setSeverity(2, to: .sev1, reason: "customer facing", by: "bob", now: t0 + 62)
        let second = engine.takeChanges(now: t0 + 63)
        try store.apply(second)

        for id: Int64 in 1...2 {
            #expect(try store.incident(id)?.withoutTexts == engine.incident(id)?.atMillis)
        }
        let acknowledged = try #require(try store.incident(1))
        // The later upserts carried blanks where the engine forgot the texts;
        // the store kept what the first write put there.
        #expect(acknowledged.title == "node-1: disk / is 97% full")
        let diskAlert = try #require(acknowledged.alerts[Fingerprint.of(disk)])
        #expect(diskAlert.summary == "disk / is 97% full")
        #expect(diskAlert.source == "agent")
        #expect(diskAlert.labels == ["mount": "/", "team": "storage"])
        #expect(try store.incident(2)?.title == "node-2: cpu_high")
        #expect(acknowledged.state == .acknowledged)
        #expect(acknowledged.acknowledgedBy == "alice")
        #expect(acknowledged.occurrences == 3)
        #expect(acknowledged.alerts.count == 1)
        #expect(try store.timeline(of: 1).suffix(1).map(\.kind) == [.acknowledged])
        #expect(try store.timeline(of: 2).last?.kind == .severityChanged)
        let counts = try store.counts()
        #expect(counts.activeBySeverity == [.sev1: 1, .sev2: 1, .sev3: 0, .sev4: 0])
        #expect(counts.byState == [.open: 1, .acknowledged: 1, .mitigated: 0, .resolved: 1])
    }

    @Test("repeats in a later batch write the incident's counts and leave the rest of its row as it was")
    func countsOnly() throws {
        var engine = IncidentEngine()
        try store.apply(ingestThree(into: &engine))
        let before = try #require(try store.incident(2))
        engine.take(cpu, at: t0 + 100)
        engine.take(cpu, at: t0 + 100)
        let changes = engine.takeChanges(now: t0 + 100)
        #expect(changes.counts.map(\.id) == [2] && changes.incidents.isEmpty)
        try store.apply(changes)

        var expected = before
        expected.occurrences += 2
        expected.lastSeen = millis(t0 + 100)
        var after = try #require(try store.incident(2))
        #expect(after.alerts[Fingerprint.of(cpu)]?.count == 3)
        #expect(after.withoutTexts == engine.incident(2)?.atMillis)
        after.alerts = before.alerts
        #expect(after == expected, "title, state, escalation… as the first write left them")
        // The counts are kept apart (v8): the incident's wide row is not rewritten …
        func stored(_ sql: String) throws -> [Int64] { try store.pool.read { db in try Int64.fetchAll(db, sql: sql) } }
        #expect(try stored("SELECT occurrences FROM incidents WHERE id = 2") == [Int64(before.occurrences)])
        #expect(try stored("SELECT counted_occurrences FROM incident_counts") == [Int64(expected.occurrences)])
        // … and every reader takes them from there.
        let listed = try store.incidents(IncidentQuery()).first { $0.incident.id == 2 }
        #expect(listed?.incident.occurrences == expected.occurrences && listed?.incident.lastSeen == expected.lastSeen)
        let readBack = try store.engineIncidents([2]).first
        #expect(readBack?.occurrences == expected.occurrences && readBack?.lastSeen == expected.lastSeen)
        #expect(try store.loadEngineState(resolvedSince: t0).incidents[2]?.occurrences == expected.occurrences)
        // So are the alert's (v9): its wide row keeps the count it was first written with.
        let fingerprint = Fingerprint.of(cpu)
        #expect(changes.alerts.isEmpty && changes.alertCounts.map(\.count) == [3])
        #expect(try stored("SELECT count FROM incident_alerts WHERE incident_id = 2") == [1])
        #expect(try stored("SELECT repeated_count FROM alert_counts") == [3])
        #expect(readBack?.alerts[fingerprint]?.count == 3 && readBack?.alerts[fingerprint]?.lastSeen == millis(t0 + 100))

        // Counts for an incident the store lacks: an error, and nothing of the batch is written.
        engine.take(cpu, at: t0 + 101)
        var stray = engine.takeChanges(now: t0 + 101)
        stray.counts.append(IncidentCounts(id: 999, occurrences: 5, lastSeen: t0 + 101))
        #expect(throws: StoreError.missingIncident(999)) { try self.store.apply(stray) }
        #expect(try store.incident(2)?.occurrences == expected.occurrences)
        var strayAlert = ChangeSet()
        strayAlert.alertCounts = [
            IncidentAlert(
                incidentID: 2, fingerprint: "f00", check: "x", host: nil, source: nil, summary: nil, status: .firing,
                severity: .sev3, labels: [:], firstSeen: t0, lastSeen: t0 + 101, count: 2)
        ]
        #expect(throws: StoreError.missingAlert(incident: 2, fingerprint: "f00")) { try self.store.apply(strayAlert) }

        // Written whole again (an acknowledgement), the incident's row holds
        // its counts and the ones apart are gone.
        engine = try IncidentEngine(incidentsByID: store.loadEngineState(resolvedSince: t0).incidents, nextID: 4)
        engine.take(cpu, at: t0 + 110)
        try engine.acknowledge(2, by: "alice", now: t0 + 110)
        try store.apply(engine.takeChanges(now: t0 + 110))
        #expect(try stored("SELECT occurrences FROM incidents WHERE id = 2") == [Int64(expected.occurrences + 1)])
        #expect(try stored("SELECT counted_occurrences FROM incident_counts").isEmpty)
        #expect(try store.incident(2)?.occurrences == expected.occurrences + 1)

        // A repeat carrying a new summary puts it on the alert's row, and is
        // still written by its counts.
        var loud = cpu
        loud.summary = "cpu at 99%"
        engine.take(loud, at: t0 + 120)
        let summaryChanges = engine.takeChanges(now: t0 + 120)
        #expect(summaryChanges.alerts.isEmpty && summaryChanges.alertCounts.count == 1)
        try store.apply(summaryChanges)
        #expect(try store.incident(2)?.alerts[fingerprint]?.summary == "cpu at 99%")
        #expect(try store.incident(2)?.alerts[fingerprint]?.count == 5)
        // Resolved, the alert is written whole: its row holds its count, and
        // its counts apart are gone.
        engine.take(cpu.resolved, at: t0 + 130)
        try store.apply(engine.takeChanges(now: t0 + 130))
        #expect(try stored("SELECT count FROM incident_alerts WHERE incident_id = 2") == [5])
        #expect(try stored("SELECT repeated_count FROM alert_counts").isEmpty)
        #expect(try store.incident(2)?.alerts[fingerprint]?.status == .resolved)
    }

    @Test("an empty change set writes nothing")
    func emptyApply() throws {
        try store.apply(ChangeSet())
        #expect(try store.counts().byState.values.reduce(0, +) == 0)
    }

    @Test("apply is one transaction: a failing row leaves nothing of the batch behind")
    func allOrNothing() throws {
        var engine = IncidentEngine()
        var changes = ingestThree(into: &engine)
        // An alert row for an incident that does not exist violates the foreign key.
        var orphan = try #require(changes.alerts.first)
        orphan.incidentID = 999
        changes.alerts.append(orphan)

        #expect(throws: (any Error).self) { try self.store.apply(changes) }
        #expect(try store.incident(1) == nil)
        #expect(try store.timeline(of: 1).isEmpty)
        #expect(try store.fate(of: Fingerprint.of(disk), in: engine) == nil)
    }

    @Test("every incident field round-trips, set or unset")
    func everyField() throws {
        let fingerprint = "feedfacecafebee"
        let alert = IncidentAlert(
            incidentID: 7, fingerprint: fingerprint, check: "disk_full", host: nil, source: "prometheus",
            summary: "café ✓ \"quoted\" / slashed", status: .resolved, severity: .sev1,
            labels: ["env": "prod", "path": "C:\\temp", "ünï": "cödé"], firstSeen: t0, lastSeen: t0 + 0.0015, count: 42)
        let full = Incident(
            id: 7, title: "node-7: disk full", severity: .sev1, state: .mitigated, groupKey: #"disk{host="node-7"}"#,
            rule: "disks", openedAt: t0, acknowledgedAt: t0 + 1, acknowledgedBy: "alice", mitigatedAt: t0 + 2,
            resolvedAt: t0 + 3, resolvedBy: "bob", autoResolved: true, occurrences: 42, lastSeen: t0 + 4,
            roles: ["ic": "carol", "comms": "dave"], maintenance: true, flapping: true,
            alerts: [fingerprint: alert])
        let bare = Incident(
            id: 8, title: "", severity: .sev4, state: .open, groupKey: "fp:0", rule: nil, openedAt: t0, lastSeen: t0)
        var changes = ChangeSet()
        changes.incidents = [full, bare]
        changes.alerts = [alert]
        changes.timeline = [TimelineEntry(incidentID: 7, at: t0 + 5, kind: .statusUpdate, detail: "multi\nline")]
        changes.fates = [
            Fate(
                fingerprint: fingerprint, at: t0 + 6, rule: "disks", severity: .sev1, incidentID: 7, decision: .paged,
                reasons: ["one", "two, with a comma", ""])
        ]
        try store.apply(changes)

        #expect(try store.incident(7) == full.atMillis)
        #expect(try store.incident(8) == bare.atMillis)
        #expect(try store.timeline(of: 7) == changes.timeline.map(\.atMillis))
        #expect(try store.fate(of: fingerprint, heldBy: 7) == changes.fates[0].atMillis)
    }

    @Test("a dropped alert leaves a fate without an incident")
    func droppedFate() throws {
        var engine = IncidentEngine()
        var dropping = classified(.sev4)
        dropping.rule = "drop-debug"
        dropping.dropped = true
        dropping.reasons = ["rule \"drop-debug\" matched and drops it"]
        let fate = engine.take(Alert(check: "debug_noise"), dropping, at: t0)
        try store.apply(engine.takeChanges(now: t0 + 1))

        let stored = try #require(try store.fate(of: fate.fingerprint, in: engine))
        #expect(stored == fate.atMillis)
        #expect(stored.decision == .dropped)
        #expect(stored.incidentID == nil)
        #expect(try store.incidents(IncidentQuery(states: IncidentState.allCases)).isEmpty)
    }
}
