import Foundation
import Testing

@testable import AlertCore

extension IncidentEngineTests {
    // MARK: Changes

    @Test("takeChanges coalesces: 1000 repeats of one alert are one incident row and one alert row")
    func coalesces() throws {
        var h = EngineHarness()
        for _ in 0..<1000 {
            h.send(Self.disk)
            h.clock.advance(by: 0.5)
        }
        let changes = h.take()
        #expect(changes.incidents.count == 1)
        #expect(changes.incidents.first?.occurrences == 1000)
        #expect(changes.alerts.count == 1)
        #expect(changes.alerts.first?.count == 1000)
        #expect(changes.timeline.map(\.kind) == [.opened, .alertAttached])
        #expect(changes.fates.count == 1)
        #expect(changes.fates.first?.decision == .deduplicated)
        #expect(!changes.isEmpty)

        let nothing = h.take()
        #expect(nothing.isEmpty)
    }

    @Test("repeats in one batch (one instant) count every occurrence and keep one fate that says why")
    func repeatsInOneBatch() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        _ = h.take()
        h.clock.advance(by: 1)
        let fates = (0..<5).map { _ in h.send(Self.disk) }
        #expect(Set(fates.map(\.decision)) == [.deduplicated])
        #expect(fates.allSatisfy { $0 == fates[0] })
        #expect(fates[0].reasons.last == "repeat of an alert already firing on its open incident; nobody paged again")
        #expect(fates[0].incidentID == 1)
        let changes = h.take()
        #expect(changes.incidents.isEmpty)
        #expect(changes.counts.map(\.occurrences) == [6])
        #expect(changes.alerts.isEmpty && changes.alertCounts.first?.count == 6)
        #expect(changes.fates == [fates[0]])

        // A repeat that classifies higher in the same batch is not a plain
        // repeat: it raises the incident and pages for the new level.
        h.clock.advance(by: 1)
        h.send(Self.disk)
        let raised = h.send(Self.disk.with(severity: .sev1))
        #expect(raised.severity == .sev1)
        let raisedChanges = h.take()
        #expect(raisedChanges.timeline.map(\.kind).contains(.severityChanged))
        #expect(raisedChanges.incidents.map(\.severity) == [.sev1])
        #expect(raisedChanges.counts.isEmpty, "written whole once more than its counts moved")
        #expect(raisedChanges.alerts.map(\.severity) == [.sev1] && raisedChanges.alertCounts.isEmpty, "the alert too")

        // One classified lower, after a plain repeat in the same batch: the
        // incident keeps its severity and counts, the alert's severity moves,
        // so the alert is written whole.
        h.clock.advance(by: 1)
        h.send(Self.disk.with(severity: .sev1))
        h.send(Self.disk)
        let lowered = h.take()
        #expect(lowered.incidents.isEmpty && lowered.counts.map(\.occurrences) == [10])
        #expect(lowered.alerts.count == 1 && lowered.alerts.first?.severity != .sev1 && lowered.alertCounts.isEmpty)
    }

    @Test("a repeat hands over its summary only when it is news, though the engine forgets written summaries")
    func repeatSummaryOnlyWhenNew() throws {
        var h = EngineHarness()
        var disk = Self.disk
        disk.summary = "disk / is 97% full"
        h.send(disk)
        #expect(h.take().alerts.first?.summary == "disk / is 97% full")
        #expect(h.engine.incident(1)?.alerts[Fingerprint.of(disk)]?.summary == nil, "forgotten once written")
        h.clock.advance(by: 1)
        h.send(disk)
        #expect(h.take().alertCounts.map(\.summary) == [nil], "the same summary again")
        disk.summary = "disk / is 98% full"
        h.clock.advance(by: 1)
        h.send(disk)
        #expect(h.take().alertCounts.map(\.summary) == ["disk / is 98% full"])
        h.clock.advance(by: 1)
        h.send(disk)
        #expect(h.take().alertCounts.map(\.summary) == [nil])
        disk.summary = "disk / is 97% full"  // back to an older one: news again
        h.clock.advance(by: 1)
        h.send(disk)
        #expect(h.take().alertCounts.map(\.summary) == ["disk / is 97% full"])
    }

    @Test("takeChanges returns the timeline in order across incidents")
    func timelineOrder() {
        var h = EngineHarness()
        h.send(Self.disk)
        h.advance(minutes: 1)
        h.send(Self.load)
        h.advance(minutes: 1)
        h.send(Self.disk.resolved)
        let timeline = h.take().timeline
        #expect(timeline.map(\.kind) == [.opened, .alertAttached, .opened, .alertAttached, .alertResolved, .resolved, .postmortemDue])
        #expect(timeline.map(\.incidentID) == [1, 1, 2, 2, 1, 1, 1])
        #expect(timeline.map(\.at) == timeline.map(\.at).sorted())
    }

    @Test("a dropped alert opens no incident and its fate says dropped")
    func dropped() throws {
        var h = EngineHarness(rules: [
            Rule(name: "ignore-dev", matchers: try parseMatchers(#"env = "dev""#), action: .drop)
        ])
        var dev = Self.disk
        dev.labels["env"] = "dev"
        let fate = h.send(dev)
        #expect(fate.decision == .dropped)
        #expect(fate.incidentID == nil)
        #expect(fate.rule == "ignore-dev")
        #expect(h.engine.incidents.isEmpty)
        let changes = h.take()
        #expect(changes.incidents.isEmpty)
        #expect(changes.timeline.isEmpty)
        #expect(changes.fates == [fate])
        #expect(h.engine.nextID == 1)
    }

    // MARK: Restart

    @Test("an engine rebuilt from its incidents keeps deduplicating into the same incident")
    func restart() throws {
        var before = EngineHarness(rules: try Self.byHost())
        before.send(Self.disk)
        before.send(Self.otherHostLoad)
        before.send(Self.disk)
        _ = before.take()

        let rebuilt = IncidentEngine(
            settings: before.engine.settings, incidents: Array(before.engine.incidents.values),
            nextID: before.engine.nextID)
        var after = EngineHarness(rules: try Self.byHost(), engine: rebuilt)
        after.clock.set(before.now + 60)

        let repeatFate = after.send(Self.disk)
        #expect(repeatFate.decision == .deduplicated)
        #expect(repeatFate.incidentID == 1)
        #expect(after.engine.incident(1)?.occurrences == 3)
        #expect(after.engine.incident(1)?.alerts[Fingerprint.of(Self.disk)]?.count == 3)

        let grouped = after.send(Self.load)
        #expect(grouped.decision == .deduplicated)
        #expect(grouped.incidentID == 1)

        let resolvedElsewhere = after.send(Self.otherHostLoad.resolved)
        #expect(resolvedElsewhere.incidentID == 2)
        #expect(after.engine.incident(2)?.state == .resolved)

        let fresh = after.send(Alert(check: "fan_failed", host: "node-9"))
        #expect(fresh.decision == .opened)
        #expect(fresh.incidentID == 3)
    }

    @Test("an engine rebuilt from stored rows (as the store loads them) behaves the same")
    func restartFromStoredRows() throws {
        var before = EngineHarness()
        before.send(Self.disk)
        before.send(Self.load)
        before.send(Self.load.resolved)  // auto-resolved, may still reopen
        let changes = before.take()

        // What a store would give back: incident rows with their alert rows.
        let stored = changes.incidents.map { row in
            Incident(
                id: row.id, title: row.title, severity: row.severity, state: row.state, groupKey: row.groupKey,
                rule: row.rule, openedAt: row.openedAt, resolvedAt: row.resolvedAt, autoResolved: row.autoResolved,
                occurrences: row.occurrences, lastSeen: row.lastSeen,
                alerts: IncidentAlerts(
                    Dictionary(
                        uniqueKeysWithValues: changes.alerts.filter { $0.incidentID == row.id }.map { ($0.fingerprint, $0) }
                    )))
        }
        var after = EngineHarness(engine: IncidentEngine(incidents: stored, nextID: 1))
        after.clock.set(before.now + 120)
        #expect(after.engine.nextID == 3, "nextID is never below a known id")

        #expect(after.send(Self.disk).incidentID == 1)
        #expect(after.send(Self.disk).decision == .deduplicated)
        let reopened = after.send(Self.load)
        #expect(reopened.incidentID == 2)
        #expect(after.take().timeline.map(\.kind).contains(.reopened))
    }

    // MARK: Active counts

    /// What a status line or gauge shows: active incidents per severity, zeros omitted.
    static func recount(_ engine: IncidentEngine) -> [Severity: Int] {
        Dictionary(grouping: engine.activeIncidents, by: \.severity).mapValues(\.count)
    }

    static func counts(_ engine: IncidentEngine) -> [Severity: Int] {
        engine.activeCounts.filter { $0.value != 0 }
    }

    @Test("activeCounts follow opening, raising, manual severity, resolving and reopening")
    func activeCounts() throws {
        var h = EngineHarness()
        func check(_ expected: [Severity: Int], _ step: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(Self.counts(h.engine) == expected, "\(step)", sourceLocation: sourceLocation)
            #expect(Self.counts(h.engine) == Self.recount(h.engine), "\(step)", sourceLocation: sourceLocation)
        }
        h.send(Self.disk)  // #1 SEV2
        h.send(Self.otherHostLoad)  // #2 SEV3
        check([.sev2: 1, .sev3: 1], "two opened")
        h.send(Self.disk.with(severity: .sev1))
        check([.sev1: 1, .sev3: 1], "#1 raised to SEV1")
        try h.engine.setSeverity(2, to: .sev4, reason: "test box", by: "alice", now: h.now)
        check([.sev1: 1, .sev4: 1], "#2 lowered by hand")
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        check([.sev1: 1, .sev4: 1], "acknowledged is still active")
        try h.engine.resolve(2, by: "alice", note: nil, now: h.now)
        check([.sev1: 1], "#2 resolved by hand")
        h.send(Self.disk.resolved)
        check([:], "#1 auto-resolved")
        try h.engine.setSeverity(1, to: .sev3, reason: "was not that bad", by: "alice", now: h.now)
        check([:], "a resolved incident's severity does not count")
        _ = h.take()
        h.advance(minutes: 2)
        h.send(Self.disk.with(severity: .sev3))
        check([.sev3: 1], "#1 reopened at its current severity")
        h.send(Self.otherHostLoad)
        check([.sev3: 2], "a new incident after a manual resolve")

        let rebuilt = IncidentEngine(incidents: Array(h.engine.incidents.values), nextID: h.engine.nextID)
        #expect(Self.counts(rebuilt) == [.sev3: 2], "a rebuilt engine counts what it adopted")
    }

    @Test("adopting an incident the engine already holds changes nothing")
    func adoptKnown() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        h.send(Self.disk)
        var stale = try #require(h.engine.incident(1))
        stale.occurrences = 1
        stale.state = .resolved
        h.engine.adopt(stale)
        #expect(h.engine.incident(1)?.occurrences == 2)
        #expect(h.engine.incident(1)?.state == .open)
        #expect(Self.counts(h.engine) == [.sev2: 1])
        #expect(h.send(Self.disk).decision == .deduplicated)
    }

    @Test("the manual clock moves only when told")
    func manualClock() {
        let clock = ManualWallClock(testEpoch)
        #expect(clock.now() == testEpoch)
        #expect(clock.now() == testEpoch)
        clock.advance(by: 90)
        #expect(clock.now() == testEpoch + 90)
        clock.set(testEpoch)
        #expect(clock.now() == testEpoch)
    }
}
