import AlertCore
import Foundation

/// 2026-11-23T20:10:00Z, a Monday.
let pageTime = Date(timeIntervalSince1970: 1_795_464_600)

/// A page for incident #42 "node-7: disk full" (SEV1), one firing alert.
func samplePage(
    kind: PageKind = .declared, title: String = "node-7: disk full", subject: String? = nil,
    text: String = "Incident declared: SEV1 — node-7: disk full\nAlerts: 1 firing",
    statusUpdate: StatusUpdate? = nil, alerts: [IncidentAlert]? = nil
) -> PageMessage {
    let alert = IncidentAlert(
        incidentID: 42, fingerprint: "c1d2e3f4a5b6c7d", check: "disk_full", host: "node-7", source: "node-7",
        summary: "disk full on /var", status: kind == .resolved ? .resolved : .firing, severity: .sev1,
        labels: ["mount": "/var", "team": "infra"], firstSeen: pageTime, lastSeen: pageTime.addingTimeInterval(60),
        count: 3)
    let list = alerts ?? [alert]
    var incident = Incident(
        id: 42, title: title, severity: .sev1, state: kind == .resolved ? .resolved : .open,
        groupKey: "fp:c1d2e3f4a5b6c7d",
        rule: "disk", openedAt: pageTime, resolvedAt: kind == .resolved ? pageTime.addingTimeInterval(600) : nil,
        occurrences: 3, lastSeen: pageTime.addingTimeInterval(60), roles: ["ic": "alice"],
        alerts: IncidentAlerts(Dictionary(uniqueKeysWithValues: list.map { ($0.fingerprint, $0) })))
    incident.firingCount = list.filter { $0.status == .firing }.count
    return PageMessage(
        idempotencyKey: "alertd-42-7", kind: kind, receiver: "oncall", step: 0, incident: incident,
        timeline: [TimelineEntry(incidentID: 42, at: pageTime, kind: .opened, detail: "opened by disk_full on node-7")],
        statusUpdate: statusUpdate, subject: subject ?? "[SEV1] #42 \(title)", text: text,
        queuedAt: pageTime.addingTimeInterval(5))
}
