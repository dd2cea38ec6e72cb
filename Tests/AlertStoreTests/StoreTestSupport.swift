import AlertStore
import Foundation
import Testing

// Classification has no public initializer: the daemon only gets one from a Classifier.
@testable import AlertCore

/// 2026-01-01T00:00:00.123456Z: sub-millisecond on purpose, since the store
/// keeps milliseconds.
let t0 = Date(timeIntervalSince1970: 1_767_225_600.123_456)

let sev2 = classified(.sev2)

/// No rule matched; grouped by fingerprint unless `groupBy` is given (by rule `groupRule`).
func classified(_ severity: Severity, groupBy: [String]? = nil, groupRule: String? = nil) -> Classification {
    Classification(
        rule: groupRule, severity: severity, dropped: false, groupBy: groupBy, groupRule: groupRule, reasons: [])
}

extension Alert {
    var resolved: Alert {
        var alert = self
        alert.status = .resolved
        return alert
    }
}

extension IncidentEngine {
    /// Ingests `alert` under its computed fingerprint.
    @discardableResult
    mutating func take(_ alert: Alert, _ classification: Classification = sev2, at now: Date) -> Fate {
        ingest(alert, fingerprint: Fingerprint.of(alert), classification: classification, now: now)
    }
}

/// A fresh directory per test holding `alertd.sqlite`; removed by `remove()`.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appending(path: "state/alertd.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "alertstore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

// The store keeps times as integer milliseconds: these give the engine's
// values at that precision, so they compare equal to what is read back.

func millis(_ date: Date) -> Date {
    Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
}

extension Incident {
    var atMillis: Incident {
        var incident = self
        incident.openedAt = millis(openedAt)
        incident.acknowledgedAt = acknowledgedAt.map(millis)
        incident.mitigatedAt = mitigatedAt.map(millis)
        incident.resolvedAt = resolvedAt.map(millis)
        incident.lastSeen = millis(lastSeen)
        incident.alerts = alerts.mapValues(\.atMillis)
        incident.postmortemDueAt = postmortemDueAt.map(millis)
        if var escalation = incident.escalation {
            escalation.startedAt = millis(escalation.startedAt)
            escalation.lastUpdateAt = escalation.lastUpdateAt.map(millis)
            escalation.lastReminderAt = escalation.lastReminderAt.map(millis)
            incident.escalation = escalation
        }
        return incident
    }

    /// As the engine holds it once written: without the texts it writes
    /// through (`IncidentEngine.forgetWrittenTexts`).
    var withoutTexts: Incident {
        var incident = self
        incident.title = ""
        incident.rule = nil
        for fingerprint in alerts.keys { incident.alerts[fingerprint]?.forgetTexts() }
        return incident
    }

    /// As an incident list shows it: without its alerts.
    var withoutAlerts: Incident {
        var incident = self
        incident.alerts = [:]
        incident.firingCount = 0
        return incident
    }
}

extension IncidentAlert {
    var atMillis: IncidentAlert {
        var alert = self
        alert.firstSeen = millis(firstSeen)
        alert.lastSeen = millis(lastSeen)
        return alert
    }
}

extension TimelineEntry {
    var atMillis: TimelineEntry {
        var entry = self
        entry.at = millis(at)
        return entry
    }
}

extension Fate {
    var atMillis: Fate {
        var fate = self
        fate.at = millis(at)
        return fate
    }
}

/// A small deterministic generator, so a failure replays (the same as
/// AlertCoreTests' own: test targets do not share code).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SQLiteIncidentStore {
    /// What `alertctl explain` says of `fingerprint`: the store's fate,
    /// found through the engine's index as the daemon finds it.
    func fate(of fingerprint: String, in engine: IncidentEngine) throws -> Fate? {
        try fate(of: fingerprint, heldBy: engine.incident(holding: fingerprint))
    }
}
