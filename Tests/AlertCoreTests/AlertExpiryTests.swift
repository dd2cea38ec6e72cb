import Foundation
import Testing

@testable import AlertCore

/// An alert sent with `endsAt` (Prometheus through the Alertmanager API)
/// resolves by itself when that time passes with no refresh, as in
/// Alertmanager; one without `endsAt` fires until resolved.
@Suite("Alert expiry (endsAt)")
struct AlertExpiryTests {
    static func prometheus(_ check: String, endsIn seconds: Double, from now: Date) -> Alert {
        Alert(
            check: check, host: "node-1", source: "alertmanager", severity: .sev2,
            endsAt: now.addingTimeInterval(seconds), format: "alertmanager")
    }

    @Test("a refreshed alert keeps firing; once refreshes stop it resolves at its endsAt")
    func expiresWhenRefreshesStop() throws {
        var h = EngineHarness()
        h.send(Self.prometheus("AlwaysFiring", endsIn: 40, from: h.now))
        _ = h.take()

        h.advance(minutes: 0.5)  // Prometheus resends before endsAt, moving it on
        h.send(Self.prometheus("AlwaysFiring", endsIn: 40, from: h.now))
        h.advance(minutes: 0.5)  // past the first endsAt, not the second
        h.engine.tick(now: h.now)
        #expect(h.engine.incident(1)?.state == .open)
        _ = h.take()

        h.advance(minutes: 0.5)  // past the second: the rule was deleted
        h.engine.tick(now: h.now)
        let incident = try #require(h.engine.incident(1))
        #expect(incident.state == .resolved)
        #expect(incident.autoResolved)
        let changes = h.take()
        #expect(changes.timeline.contains { $0.kind == .alertResolved && $0.detail.contains("endsAt passed") })
        #expect(changes.alerts.first?.status == .resolved && changes.alerts.first?.expiresAt == nil)
        #expect(changes.fates.first?.reasons.contains { $0.contains("no refresh from the sender") } == true)
    }

    @Test("an alert without endsAt never expires, and a later refresh without one clears the expiry")
    func noEndsAtNoExpiry() throws {
        var h = EngineHarness()
        h.send(Alert(check: "disk_full", host: "node-1", severity: .sev3))
        h.send(Self.prometheus("AlwaysFiring", endsIn: 60, from: h.now))
        h.send(Alert(check: "AlwaysFiring", host: "node-1", source: "alertmanager", severity: .sev2, format: "alertmanager"))
        h.advance(minutes: 600)
        h.engine.tick(now: h.now)
        #expect(h.engine.incident(1)?.state == .open)
        #expect(h.engine.incident(2)?.state == .open)
    }

    @Test("expiry survives a restart: an engine rebuilt from its incidents still expires the alert")
    func expiryIsRestored() throws {
        var h = EngineHarness()
        h.send(Self.prometheus("AlwaysFiring", endsIn: 30, from: h.now))
        let stored = try #require(h.engine.incident(1))
        #expect(stored.alerts.values.first?.expiresAt == h.now.addingTimeInterval(30))

        var restarted = EngineHarness(engine: IncidentEngine(incidents: [stored], nextID: 2))
        restarted.advance(minutes: 1)
        restarted.engine.tick(now: restarted.now)
        #expect(restarted.engine.incident(1)?.state == .resolved)
    }
}
