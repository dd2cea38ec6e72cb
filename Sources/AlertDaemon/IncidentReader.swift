import AlertCore
import AlertStore

/// Incidents as people and programs read them (`alertctl incidents/show`,
/// `GET /api/v1/incidents[/ID]`): one place for the filters and the views,
/// so the control socket and HTTP always answer alike.
struct IncidentReader: Sendable {
    let store: any IncidentStore

    /// `state`: nil or `open` for active incidents, `all`, or one state name.
    func list(state: String?, severity: String?, limit: Int?) throws -> [IncidentView] {
        let states: [IncidentState]?
        switch state {
        case nil, "open": states = nil
        case "all": states = IncidentState.allCases
        case let name?:
            guard let one = IncidentState(rawValue: name) else {
                throw ControlError("unknown state \"\(name)\" (open, acknowledged, mitigated, resolved, all)")
            }
            states = [one]
        }
        let severity = try severity.map(Self.severity)
        return try store.incidents(IncidentQuery(states: states, severity: severity, limit: limit ?? 100)).map {
            IncidentView($0.incident, alertCount: $0.alertCount, firingCount: $0.firingCount)
        }
    }

    /// One incident with its alerts and timeline.
    func view(of id: Int64) throws -> IncidentView {
        guard let incident = try store.incident(id) else { throw IncidentCommandError.notFound(id) }
        return IncidentView(incident, timeline: try store.timeline(of: id))
    }

    static func severity(_ text: String) throws -> Severity {
        guard let severity = Severity(parsing: text) else { throw ControlError("unknown severity \"\(text)\" (SEV1–SEV4)") }
        return severity
    }
}
