import Foundation
import Testing

@testable import AlertCore

/// Escalation, response targets, business hours and the outbox, driven by a
/// manual clock (SPEC §5). testEpoch is Thursday 2026-01-01 00:00 UTC.
@Suite("Escalation") struct EscalationTests {
    /// Every receiver has one channel; business hours are the UTC default.
    static func harness(rules: [Rule] = []) -> EngineHarness {
        var harness = EngineHarness(rules: rules)
        harness.engine.paging = PagingPolicy(
            channelCounts: ["oncall": 1, "eng-manager": 1, "ticket": 1, "backup": 2],
            fallbacks: ["oncall": "backup"])
        return harness
    }

    static let nodeDown = Alert(check: "node_down", host: "n1", severity: .sev1)

    @Test func sev1PagesAtOnceAndEscalatesWhenNotAcknowledged() throws {
        var h = Self.harness()
        let fate = h.send(Self.nodeDown)
        #expect(fate.decision == .paged)
        var changes = h.take()
        #expect(changes.pages.map(\.receiver) == ["oncall"])
        #expect(changes.pages.first?.kind == .declared)
        #expect(changes.pages.first?.notBefore == h.now)

        h.advance(minutes: 14)
        h.engine.tick(now: h.now)
        changes = h.take()
        #expect(changes.pages.isEmpty)
        #expect(!changes.timeline.contains { $0.kind == .escalated })

        h.advance(minutes: 1)
        h.engine.tick(now: h.now)
        changes = h.take()
        #expect(changes.pages.map(\.receiver) == ["eng-manager"])
        #expect(changes.pages.first?.kind == .escalation)
        let kinds = changes.timeline.map(\.kind)
        #expect(kinds.contains(.escalated))
        #expect(kinds.contains(.responseTargetBreached))

        // No step left: later ticks page nobody, and the breach is recorded once.
        h.advance(minutes: 60)
        h.engine.tick(now: h.now)
        changes = h.take()
        #expect(changes.pages.filter { $0.kind == .escalation }.isEmpty)
        #expect(!changes.timeline.contains { $0.kind == .responseTargetBreached })
    }

    @Test func acknowledgingStopsEscalation() throws {
        var h = Self.harness()
        h.send(Self.nodeDown)
        _ = h.take()
        h.advance(minutes: 5)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        h.advance(minutes: 30)
        h.engine.tick(now: h.now)
        let changes = h.take()
        #expect(changes.pages.filter { $0.kind == .escalation }.isEmpty)
        #expect(!changes.timeline.contains { $0.kind == .responseTargetBreached })
    }

    @Test func aRaisedSeverityRunsTheNewLevelsPolicyOnTheSameIncident() throws {
        var h = Self.harness()
        let minor = Alert(check: "disk", host: "db-1", severity: .sev4)
        h.send(minor)
        #expect(h.take().pages.map(\.receiver) == ["ticket"])
        let fate = h.send(minor.with(severity: .sev1))
        #expect(fate.decision == .paged)
        let changes = h.take()
        #expect(changes.pages.map(\.receiver) == ["oncall"])
        #expect(changes.pages.first?.kind == .declared)
        #expect(changes.incidents.map(\.id) == [1])
        #expect(changes.incidents.first?.escalation?.level == .sev1)
    }

    @Test func businessHoursOnlyPagesAreHeldNotDropped() throws {
        var h = Self.harness()
        let fate = h.send(Alert(check: "cert_expiry", host: "web", severity: .sev3))  // Thursday 00:00 UTC
        #expect(fate.decision == .held)
        let page = try #require(h.take().pages.first)
        #expect(page.notBefore == h.now.addingTimeInterval(9 * 3600))
        #expect(page.nextAttemptAt == page.notBefore)
        #expect(page.state == .pending)
    }

    @Test func resolvingTellsEveryonePagedAndSetsThePostmortemDue() throws {
        var h = Self.harness()
        h.send(Self.nodeDown)
        h.advance(minutes: 15)
        h.engine.tick(now: h.now)
        _ = h.take()
        h.advance(minutes: 10)
        h.send(Self.nodeDown.resolved)
        let changes = h.take()
        #expect(Set(changes.pages.filter { $0.kind == .resolved }.map(\.receiver)) == ["oncall", "eng-manager"])
        let incident = try #require(changes.incidents.first)
        #expect(incident.postmortemDueAt == h.now.addingTimeInterval(48 * 3600))
        #expect(incident.escalation == nil)
        #expect(changes.timeline.contains { $0.kind == .postmortemDue })
    }

    @Test func deliveryResultsRetrySucceedOrFallBack() throws {
        var h = Self.harness()
        h.send(Self.nodeDown)
        let page = try #require(h.take().pages.first)

        h.engine.recordDelivery(page, via: "webhook", result: .retry(reason: "HTTP 500", after: nil), now: h.now, random: 0.5)
        var changes = h.take()
        let retried = try #require(changes.pages.first)
        #expect(retried.state == .pending)
        #expect(retried.attempts == 1)
        #expect(retried.nextAttemptAt > h.now)
        #expect(changes.timeline.contains { $0.kind == .pageFailed && $0.detail.contains("HTTP 500") })

        h.engine.recordDelivery(retried, via: "webhook", result: .sent, now: h.now, random: 0.5)
        changes = h.take()
        #expect(changes.pages.first?.state == .sent)
        #expect(changes.timeline.contains { $0.kind == .pageSent })

        h.engine.recordDelivery(page, via: "webhook", result: .permanent(reason: "HTTP 404"), now: h.now, random: 0.5)
        changes = h.take()
        #expect(changes.pages.first?.state == .failed)
        #expect(changes.pages.dropFirst().map(\.receiver) == ["backup", "backup"])  // both fallback channels
        #expect(changes.timeline.contains { $0.kind == .pageGaveUp })
    }

    @Test func retriesGiveUpAfterGiveUpAfter() throws {
        var h = Self.harness()
        h.engine.paging.retries["oncall"] = RetryPolicy(giveUpAfter: 60)
        h.send(Self.nodeDown)
        var page = try #require(h.take().pages.first)
        page.firstAttemptAt = h.now
        h.advance(minutes: 2)
        h.engine.recordDelivery(page, via: "webhook", result: .retry(reason: "timeout", after: nil), now: h.now, random: 0.5)
        let changes = h.take()
        #expect(changes.pages.first?.state == .gaveUp)
        #expect(changes.pages.dropFirst().allSatisfy { $0.receiver == "backup" })
    }

    @Test func statusUpdatesAndReminders() throws {
        var h = Self.harness()
        h.send(Self.nodeDown)
        _ = h.take()
        h.advance(minutes: 30)
        h.engine.tick(now: h.now)
        var changes = h.take()
        #expect(changes.pages.contains { $0.kind == .updateReminder && $0.receiver == "oncall" })

        let update = StatusUpdate(status: .monitoring, impact: "API down for EU", next: "watch 30m", by: "alice")
        try h.engine.postStatusUpdate(1, update, now: h.now)
        changes = h.take()
        #expect(changes.pages.contains { $0.kind == .statusUpdate && $0.statusUpdate == update })
        #expect(changes.incidents.first?.state == .mitigated)
        #expect(changes.timeline.map(\.kind).contains(.statusUpdate))

        // The update restarts the reminder clock.
        h.advance(minutes: 20)
        h.engine.tick(now: h.now)
        #expect(!h.take().pages.contains { $0.kind == .updateReminder })
    }

    @Test func escalationResumesInAnEngineRebuiltFromTheStore() throws {
        var h = Self.harness()
        h.send(Self.nodeDown)
        let incidents = h.take().incidents
        // What a restart does: a new engine from the stored incidents.
        var rebuilt = IncidentEngine(incidents: incidents, nextID: 2, paging: h.engine.paging, nextPageID: 2)
        h.advance(minutes: 15)
        rebuilt.tick(now: h.now)
        let changes = rebuilt.takeChanges(now: h.now)
        #expect(changes.pages.map(\.receiver) == ["eng-manager"])
        #expect(changes.pages.first?.id == 2)
    }
}

extension EscalationTests {
    @Test func aPageWhoseIncidentResolvedFirstIsCancelledVisibly() throws {
        var h = Self.harness()
        h.send(Alert(check: "cert_expiry", host: "web", severity: .sev3))  // held until 09:00
        let held = try #require(h.take().pages.first)
        h.engine.cancelPage(held, reason: "incident #1 resolved before it went out", now: h.now)
        let changes = h.take()
        #expect(changes.pages.first?.state == .cancelled)
        #expect(changes.timeline.contains { $0.kind == .pageGaveUp && $0.detail.contains("not sent") })
    }
}

extension EscalationTests {
    /// The opening a held page waits for is worked out once per `now`; new
    /// business hours at the same instant must not reuse it.
    @Test func newBusinessHoursMoveTheNextHeldPageAtTheSameInstant() throws {
        var h = Self.harness()
        h.send(Alert(check: "cert_expiry", host: "web", severity: .sev3))
        let nine = try #require(h.take().pages.first?.notBefore)
        #expect(nine == testEpoch.addingTimeInterval(9 * 3600))
        h.engine.paging.businessHours.start = 10 * 60
        h.send(Alert(check: "cert_expiry", host: "db", severity: .sev3))
        let changes = h.take()
        #expect(changes.pages.first?.notBefore == testEpoch.addingTimeInterval(10 * 3600))
        #expect(changes.timeline.contains { $0.kind == .pageQueued && $0.detail.contains("held until 2026-01-01T10:00:00Z") })
    }
}
