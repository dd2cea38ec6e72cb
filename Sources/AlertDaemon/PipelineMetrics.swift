import AlertCore

/// Metrics read off a committed `ChangeSet` (SPEC §10): each event is in
/// it exactly once, so counting here never double-counts.
struct PipelineMetrics {
    let metrics: AlertdMetrics

    func record(_ changes: ChangeSet) {
        for page in changes.pages where page.attempts > 0 {
            switch page.state {
            case .sent: metrics.page(receiver: page.receiver, result: "sent")
            case .pending: metrics.page(receiver: page.receiver, result: "failed")
            case .cancelled: break
            case .gaveUp, .failed:
                metrics.page(receiver: page.receiver, result: "failed")
                metrics.page(receiver: page.receiver, result: "gave_up")
            }
        }
        guard changes.timeline.contains(where: { Self.counted($0.kind) }) else { return }
        let positions = changes.incidentPositions
        for entry in changes.timeline where Self.counted(entry.kind) {
            guard let position = positions[entry.incidentID] else { continue }
            let incident = changes.incidents[position]
            switch entry.kind {
            case .opened:
                metrics.incidentOpened(incident.severity)
            case .responseTargetBreached:
                metrics.responseTargetBreached(incident.escalation?.level ?? incident.severity)
            case .acknowledged where !incident.maintenance:
                if let at = incident.acknowledgedAt {
                    metrics.timeToAcknowledge(incident.severity, seconds: at.timeIntervalSince(incident.openedAt))
                }
            case .resolved where !incident.maintenance:
                if let at = incident.resolvedAt {
                    metrics.timeToResolve(incident.severity, seconds: at.timeIntervalSince(incident.openedAt))
                }
            default:
                break
            }
        }
    }

    /// The timeline kinds that feed a metric.
    private static func counted(_ kind: TimelineKind) -> Bool {
        switch kind {
        case .opened, .responseTargetBreached, .acknowledged, .resolved: return true
        default: return false
        }
    }
}
