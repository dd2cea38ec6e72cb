import AlertCore

/// People-facing text for `send`, `explain` and `stats`.
enum ReportFormat {
    /// `sent: fingerprint 1a2b… → incident #7 (opened)`
    static func sent(_ result: SendResult) -> String {
        let target = result.incident.map { "incident \(IncidentFormat.ref($0))" } ?? "no incident"
        return TerminalText.escape("sent: fingerprint \(result.fingerprint) → \(target) (\(result.decision))")
    }

    static func explain(_ fate: FateView) -> String {
        let fields: [(String, String)] = [
            ("fingerprint", fate.fingerprint),
            ("at", fate.at),
            ("decision", fate.decision),
            ("rule", fate.rule ?? "(none)"),
            ("severity", fate.severity),
            ("incident", fate.incident.map(IncidentFormat.ref) ?? "(none)"),
        ]
        var lines = aligned(fields)
        lines.append("reasons:")
        if fate.reasons.isEmpty { lines.append("  (none given)") }
        for reason in fate.reasons { lines.append("  - \(TerminalText.escape(reason))") }
        return lines.joined(separator: "\n")
    }

    static func stats(_ stats: StatsView) -> String {
        let severities = Severity.allCases.map(\.description)
        let states = IncidentState.allCases.map(\.rawValue)
        let fields: [(String, String)] = [
            ("uptime", duration(stats.uptimeSeconds)),
            ("active incidents", counts(stats.openBySeverity, order: severities)),
            ("incidents by state", counts(stats.incidentsByState, order: states)),
            ("alerts received", String(stats.alertsReceived)),
            ("alerts rejected", String(stats.alertsRejected)),
            ("alerts deduplicated", String(stats.alertsDeduplicated)),
            ("alerts dropped", String(stats.alertsDropped)),
        ]
        return aligned(fields).joined(separator: "\n")
    }

    /// `name:  value` lines with the values in one column.
    static func aligned(_ fields: [(String, String)]) -> [String] {
        let width = fields.map(\.0.count).max() ?? 0
        return fields.map { name, value in
            name + ":" + String(repeating: " ", count: width - name.count) + "  " + TerminalText.escape(value)
        }
    }

    /// `SEV1 0, SEV2 3, …` in a fixed order, then any keys the daemon added.
    static func counts(_ values: [String: Int], order: [String]) -> String {
        let known = order.filter { values[$0] != nil }
        let extra = values.keys.filter { !order.contains($0) }.sorted()
        let parts = (known + extra).map { "\($0) \(values[$0]!)" }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }

    /// `3d 4h 5m 6s`, leading zero units left out.
    static func duration(_ seconds: Int64) -> String {
        guard seconds > 0 else { return "0s" }
        let units: [(Int64, String)] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
        var rest = seconds
        var parts: [String] = []
        for (size, suffix) in units where rest >= size || !parts.isEmpty {
            parts.append("\(rest / size)\(suffix)")
            rest %= size
        }
        return parts.joined(separator: " ")
    }
}
