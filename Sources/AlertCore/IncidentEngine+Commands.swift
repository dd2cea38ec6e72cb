import Foundation

/// Why an admin command was refused.
public enum IncidentCommandError: Error, Equatable, CustomStringConvertible {
    case notFound(Int64)
    case refused(String)

    public var description: String {
        switch self {
        case .notFound(let id): return "no incident #\(id)"
        case .refused(let why): return why
        }
    }
}

/// The admin commands (`alertctl ack`, `resolve`, `note`, `severity`): each
/// changes one incident, records it on the timeline and is committed like
/// any other change, in order with alerts.
extension IncidentEngine {
    public mutating func acknowledge(_ id: Int64, by who: String, now: Date) throws(IncidentCommandError) {
        var incident = try existing(id)
        switch incident.state {
        case .open: break
        case .acknowledged: throw .refused("incident #\(id) is already acknowledged")
        case .mitigated: throw .refused("incident #\(id) is mitigated; acknowledging goes no further back")
        case .resolved: throw .refused("incident #\(id) is resolved")
        }
        incident.state = .acknowledged
        incident.acknowledgedAt = now
        incident.acknowledgedBy = who
        incidents[id] = incident
        dirtyIncidents.insert(id)
        record(id, now, .acknowledged, "acknowledged by \(who)")
    }

    public mutating func resolve(_ id: Int64, by who: String, note: String?, now: Date) throws(IncidentCommandError) {
        var incident = try existing(id)
        guard incident.state.isActive else { throw .refused("incident #\(id) is already resolved") }
        incident.state = .resolved
        incident.resolvedAt = now
        incident.resolvedBy = who
        incident.autoResolved = false
        incidents[id] = incident
        deactivate(incident)
        dirtyIncidents.insert(id)
        record(id, now, .resolved, "resolved by \(who)" + (note.map { ": \($0)" } ?? ""))
        finishEscalation(id, now: now)
    }

    public mutating func addNote(_ id: Int64, text: String, by who: String, now: Date) throws(IncidentCommandError) {
        _ = try existing(id)
        guard !text.isEmpty else { throw .refused("a note needs text") }
        record(id, now, .note, "\(who): \(text)")
    }

    public mutating func setSeverity(
        _ id: Int64, to severity: Severity, reason: String, by who: String, now: Date
    ) throws(IncidentCommandError) {
        var incident = try existing(id)
        guard incident.severity != severity else { throw .refused("incident #\(id) is already \(severity)") }
        record(id, now, .severityChanged, "\(incident.severity) → \(severity) by \(who): \(reason)")
        let raised = severity.isMoreSevere(than: incident.severity)
        if incident.state.isActive { changeActiveSeverity(from: incident.severity, to: severity) }
        incident.severity = severity
        incidents[id] = incident
        dirtyIncidents.insert(id)
        // The new level's policy runs from now; a lowered incident is not declared again.
        if incident.state.isActive { startEscalation(id, now: now, declare: raised) }
    }

    private mutating func existing(_ id: Int64) throws(IncidentCommandError) -> Incident {
        guard let incident = resident(id) else { throw .notFound(id) }
        return incident
    }
}
