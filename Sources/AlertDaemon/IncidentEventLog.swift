import AlertCore
import AlertIO
import Logging

/// Logs each committed incident event once, with the journal fields of
/// SPEC §8 (`INCIDENT_ID`, `SEVERITY`, `FINGERPRINT`, `MESSAGE_ID`), so
/// `journalctl -u alertd INCIDENT_ID=42` tells one incident's story.
struct IncidentEventLog {
    let logger: Logger

    func record(_ changes: ChangeSet) {
        guard changes.timeline.contains(where: { Self.logged[$0.kind] != nil }) else { return }
        let incidents = Dictionary(changes.incidents.map { ($0.id, $0) }, uniquingKeysWith: { $1 })
        for entry in changes.timeline {
            guard let (event, level) = Self.logged[entry.kind], let incident = incidents[entry.incidentID] else { continue }
            var metadata: Logger.Metadata = [
                "incident_id": "\(incident.id)",
                "severity": "\(incident.severity)",
            ]
            let (key, value) = event.metadata
            metadata[key] = value
            if entry.kind == .opened, let fingerprint = incident.alerts.keys.first {
                metadata["fingerprint"] = "\(fingerprint)"
            }
            logger.log(level: level, "#\(incident.id) [\(incident.severity)] \(entry.kind.rawValue): \(entry.detail)", metadata: metadata)
        }
    }

    private static let logged: [TimelineKind: (AlertdEvent, Logger.Level)] = [
        .opened: (.incidentOpened, .notice),
        .reopened: (.incidentReopened, .notice),
        .resolved: (.incidentResolved, .info),
        .acknowledged: (.incidentAcknowledged, .info),
        .severityChanged: (.severityChanged, .notice),
    ]
}
