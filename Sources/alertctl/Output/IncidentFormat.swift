import AlertCore

/// People-facing text for incidents (`incidents`, `show` and the actions).
enum IncidentFormat {
    /// `#42`, the way people write incident ids.
    static func ref(_ id: Int64) -> String { "#\(id)" }

    static func list(_ incidents: [IncidentView]) -> String {
        guard !incidents.isEmpty else { return "no incidents" }
        var table = Table("ID", "SEV", "STATE", "ALERTS", "OCCURRENCES", "OPENED", "TITLE", rightAligned: [3, 4])
        for incident in incidents {
            table.append(
                ref(incident.id), incident.severity, incident.state, String(incident.alertCount),
                String(incident.occurrences), incident.openedAt, incident.title)
        }
        return table.render()
    }

    static func detail(_ incident: IncidentView) -> String {
        var lines = [header(incident), ""]
        var fields: [(String, String)] = [("opened", incident.openedAt)]
        fields.append(("acknowledged", stamp(incident.acknowledgedAt, by: incident.acknowledgedBy)))
        if let mitigated = incident.mitigatedAt { fields.append(("mitigated", mitigated)) }
        fields.append(("resolved", stamp(incident.resolvedAt, by: incident.resolvedBy)))
        fields.append(("last seen", incident.lastSeen))
        fields.append(("rule", incident.rule ?? "-"))
        fields.append(
            ("alerts", "\(incident.alertCount) (\(incident.firingCount) firing), \(incident.occurrences) occurrences"))
        let flags = [incident.maintenance ? "maintenance" : nil, incident.flapping ? "flapping" : nil].compactMap { $0 }
        if !flags.isEmpty { fields.append(("flags", flags.joined(separator: ", "))) }
        let roles = incident.roles.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        fields.append(("roles", roles.isEmpty ? "-" : roles.joined(separator: ", ")))
        let width = fields.map(\.0.count).max() ?? 0
        for (name, value) in fields {
            let label = name + ":" + String(repeating: " ", count: width - name.count)
            lines.append("  \(label)  \(TerminalText.escape(value))")
        }

        if let alerts = incident.alerts {
            lines += ["", "ALERTS"]
            if alerts.isEmpty {
                lines.append("  (none)")
            } else {
                var table = Table(
                    "FINGERPRINT", "SEV", "STATUS", "CHECK", "HOST", "COUNT", "FIRST SEEN", "LAST SEEN", "SUMMARY",
                    rightAligned: [5])
                for alert in alerts {
                    table.append(
                        alert.fingerprint, alert.severity, alert.status, alert.check, alert.host ?? "-",
                        String(alert.count), alert.firstSeen, alert.lastSeen, alert.summary ?? "")
                }
                lines.append(table.render())
            }
        }
        if let timeline = incident.timeline {
            lines += ["", "TIMELINE"]
            if timeline.isEmpty {
                lines.append("  (empty)")
            } else {
                var table = Table("AT", "KIND", "DETAIL")
                for entry in timeline { table.append(entry.at, entry.kind, entry.detail) }
                lines.append(table.render())
            }
        }
        return lines.joined(separator: "\n")
    }

    /// `#42 [SEV1] acknowledged — node-7: disk full`
    static func header(_ incident: IncidentView) -> String {
        TerminalText.escape("\(ref(incident.id)) [\(incident.severity)] \(incident.state) — \(incident.title)")
    }

    /// One line confirming an action, e.g. `#42 acknowledged by alice`.
    static func confirmation(_ incident: IncidentView, _ what: String) -> String {
        TerminalText.escape("\(ref(incident.id)) \(what)")
    }

    private static func stamp(_ time: String?, by person: String?) -> String {
        guard let time else { return "-" }
        guard let person, !person.isEmpty else { return time }
        return "\(time) by \(person)"
    }
}
