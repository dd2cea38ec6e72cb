import AlertCore
import AlertIO
import Logging

/// Logs each committed incident event once, with the journal fields of
/// SPEC §8 (`INCIDENT_ID`, `SEVERITY`, `FINGERPRINT`, `MESSAGE_ID`), so
/// `journalctl -u alertd INCIDENT_ID=42` tells one incident's story.
struct IncidentEventLog {
    let logger: Logger

    func record(_ changes: ChangeSet) {
        // Nothing below `notice` is logged at the usual `warning` of a busy
        // node: skip the walk over the batch.
        guard logger.logLevel <= .notice, changes.timeline.contains(where: { Self.logged[$0.kind] != nil }) else { return }
        let positions = changes.incidentPositions
        for entry in changes.timeline {
            guard let (event, level) = Self.logged[entry.kind], let position = positions[entry.incidentID] else { continue }
            let incident = changes.incidents[position]
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
