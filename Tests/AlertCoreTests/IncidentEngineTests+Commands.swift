import Foundation
import Testing

@testable import AlertCore

extension IncidentEngineTests {
    // MARK: Commands

    @Test("acknowledge, then refuse acknowledging again")
    func acknowledge() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        _ = h.take()
        h.advance(minutes: 4)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        let incident = try #require(h.engine.incident(1))
        #expect(incident.state == .acknowledged)
        #expect(incident.acknowledgedAt == testEpoch + 240)
        #expect(incident.acknowledgedBy == "alice")
        let changes = h.take()
        #expect(changes.timeline.map(\.kind) == [.acknowledged])
        #expect(changes.timeline.first?.detail.contains("alice") == true)
        #expect(changes.incidents.map(\.state) == [.acknowledged])

        #expect(throws: IncidentCommandError.self) { try h.engine.acknowledge(1, by: "bob", now: h.now) }
        #expect(h.engine.incident(1)?.acknowledgedBy == "alice")
        #expect(h.take().timeline.isEmpty)
    }

    @Test("repeats of an acknowledged incident deduplicate and keep it acknowledged")
    func repeatAfterAck() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        let fate = h.send(Self.disk)
        #expect(fate.decision == .deduplicated)
        #expect(h.engine.incident(1)?.state == .acknowledged)
    }

    @Test("resolve by hand, then refuse resolving again")
    func resolveByHand() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        _ = h.take()
        h.advance(minutes: 30)
        try h.engine.resolve(1, by: "alice", note: "replaced the disk", now: h.now)
        let incident = try #require(h.engine.incident(1))
        #expect(incident.state == .resolved)
        #expect(incident.resolvedAt == testEpoch + 1800)
        #expect(incident.resolvedBy == "alice")
        #expect(!incident.autoResolved)
        #expect(h.engine.activeIncidents.isEmpty)

        #expect(throws: IncidentCommandError.self) { try h.engine.resolve(1, by: "bob", note: nil, now: h.now) }
        #expect(throws: IncidentCommandError.self) { try h.engine.acknowledge(1, by: "bob", now: h.now) }
        let changes = h.take()
        #expect(changes.timeline.map(\.kind) == [.resolved, .postmortemDue])  // SEV2: a review is due
        #expect(changes.timeline.first?.detail == "resolved by alice: replaced the disk")
        #expect(changes.incidents.map(\.state) == [.resolved])
    }

    @Test("an auto-resolved incident cannot be resolved again by hand")
    func resolveAutoResolved() {
        var h = EngineHarness()
        h.send(Self.disk)
        h.send(Self.disk.resolved)
        #expect(throws: IncidentCommandError.self) { try h.engine.resolve(1, by: "alice", note: nil, now: h.now) }
    }

    @Test("after a manual resolve the next firing opens a new incident, even within reopen_within")
    func firingAfterManualResolve() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.resolve(1, by: "alice", note: nil, now: h.now)
        _ = h.take()

        let late = h.send(Self.disk.resolved)
        #expect(late.incidentID == nil, "a late resolve finds no open incident")

        h.advance(minutes: 1)
        let fate = h.send(Self.disk)
        #expect(fate.decision == .opened)
        #expect(fate.incidentID == 2)
        #expect(!h.take().timeline.map(\.kind).contains(.reopened))
        #expect(h.send(Self.disk).incidentID == 2)
    }

    @Test("a manual resolve before the changes are taken still opens a new incident")
    func firingAfterManualResolveSameBatch() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.resolve(1, by: "alice", note: nil, now: h.now)
        #expect(h.send(Self.disk).incidentID == 2)
        let changes = h.take()
        #expect(Set(changes.incidents.map(\.id)) == [1, 2])
    }

    @Test("notes go on the timeline; an empty note is refused")
    func note() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        _ = h.take()
        try h.engine.addNote(1, text: "looking at it", by: "alice", now: h.now)
        #expect(throws: IncidentCommandError.self) { try h.engine.addNote(1, text: "", by: "alice", now: h.now) }
        let timeline = h.take().timeline
        #expect(timeline.map(\.kind) == [.note])
        #expect(timeline.first?.detail == "alice: looking at it")
        #expect(timeline.first?.incidentID == 1)
    }

    @Test("setSeverity changes it either way with a timeline entry; the same severity is refused")
    func setSeverity() throws {
        var h = EngineHarness()
        h.send(Self.disk)  // SEV2
        _ = h.take()
        try h.engine.setSeverity(1, to: .sev4, reason: "only a test box", by: "alice", now: h.now)
        #expect(h.engine.incident(1)?.severity == .sev4)
        try h.engine.setSeverity(1, to: .sev1, reason: "customers affected", by: "bob", now: h.now)
        #expect(h.engine.incident(1)?.severity == .sev1)
        #expect(throws: IncidentCommandError.self) {
            try h.engine.setSeverity(1, to: .sev1, reason: "again", by: "bob", now: h.now)
        }
        let changes = h.take()
        #expect(changes.timeline.map(\.kind) == [.severityChanged, .severityChanged])
        #expect(changes.timeline.first?.detail.contains("SEV2 → SEV4") == true)
        #expect(changes.timeline.first?.detail.contains("only a test box") == true)
        #expect(changes.incidents.map(\.severity) == [.sev1])
    }

    @Test("a lowered incident is raised again by a higher alert")
    func raiseAfterManualLower() throws {
        var h = EngineHarness()
        h.send(Self.disk)  // SEV2
        try h.engine.setSeverity(1, to: .sev4, reason: "noise", by: "alice", now: h.now)
        h.send(Self.disk)  // SEV2 again
        #expect(h.engine.incident(1)?.severity == .sev2)
    }

    @Test("commands on an unknown incident are notFound")
    func unknownIncident() {
        var h = EngineHarness()
        h.send(Self.disk)
        #expect(throws: IncidentCommandError.notFound(99)) { try h.engine.acknowledge(99, by: "a", now: h.now) }
        #expect(throws: IncidentCommandError.notFound(99)) { try h.engine.resolve(99, by: "a", note: nil, now: h.now) }
        #expect(throws: IncidentCommandError.notFound(99)) { try h.engine.addNote(99, text: "x", by: "a", now: h.now) }
        #expect(throws: IncidentCommandError.notFound(99)) {
            try h.engine.setSeverity(99, to: .sev1, reason: "x", by: "a", now: h.now)
        }
        #expect(IncidentCommandError.notFound(99).description == "no incident #99")
    }

    @Test("refusals explain themselves")
    func refusalText() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        let error = #expect(throws: IncidentCommandError.self) { try h.engine.acknowledge(1, by: "bob", now: h.now) }
        #expect(error == .refused("incident #1 is already acknowledged"))
    }

    @Test("an old incident can be adopted to take a note")
    func adopt() throws {
        var h = EngineHarness()
        h.send(Self.disk)
        try h.engine.resolve(1, by: "alice", note: nil, now: h.now)
        let resolved = try #require(h.engine.incident(1))
        _ = h.take()
        #expect(h.engine.incident(1) == nil, "settled incidents are forgotten after their changes are taken")
        #expect(throws: IncidentCommandError.notFound(1)) { try h.engine.addNote(1, text: "x", by: "a", now: h.now) }
        h.engine.adopt(resolved)
        try h.engine.addNote(1, text: "postmortem scheduled", by: "alice", now: h.now)
        #expect(h.take().timeline.map(\.kind) == [.note])
    }
}
