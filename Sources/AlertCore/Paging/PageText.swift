import Foundation

/// The incident message templates (SPEC §5): a page's subject and its
/// plain-text body, as pure functions of the incident and `now`.
///
/// Subjects are `[SEV1] #42 node-7: disk full` (the incident title already
/// reads `host: summary`). Every kind but `declared` puts a tag in front and
/// keeps that core unchanged, so a search for `#42` finds them all:
/// `[ESCALATION]`, `[UPDATE]`, `[REMINDER]`, `[RESOLVED]`.
///
/// Text from alerts and people (titles, summaries, hosts, status updates,
/// timeline details) is inserted as is — templates are never evaluated on
/// it — except that control characters are removed: all of them where the
/// text sits on one line (subjects, headlines, list items), all but newline
/// and tab where it is a block (impact, next steps). So untrusted text can
/// neither inject an email header nor draw terminal escapes.
public enum PageText {
    /// Longest title kept in a subject, in characters; the body has it whole.
    public static let subjectTitleLimit = 200
    /// Timeline entries a body shows, the most recent ones.
    public static let timelineLimit = 20
    /// Alerts a body lists, firing first.
    public static let alertLimit = 10

    /// `[SEV1] #42 node-7: disk full`, tagged for every kind but `declared`
    /// (see the type's rules). Always one line.
    public static func subject(_ incident: Incident, kind: PageKind) -> String {
        var title = line(incident.title)
        if title.count > subjectTitleLimit { title = String(title.prefix(subjectTitleLimit - 1)) + "…" }
        let core = "[\(incident.severity)] #\(incident.id) \(title)"
        switch kind {
        case .declared: return core
        case .escalation: return "[ESCALATION] " + core
        case .statusUpdate: return "[UPDATE] " + core
        case .updateReminder: return "[REMINDER] " + core
        case .resolved: return "[RESOLVED] " + core
        }
    }

    /// The plain-text body: a headline for the kind, the lines that kind
    /// carries, the incident's facts, what to do, and the timeline so far.
    ///
    /// * declared: `Incident declared: SEV1 — <title>`.
    /// * escalation: `Escalation: #42 not acknowledged after 15m, step 2` —
    ///   counted from when the incident reached its current severity (its
    ///   last `severity_changed` or `reopened` entry, else its opening);
    ///   `step` is 0-based and printed 1-based, as the policy lists it.
    /// * statusUpdate: `Status:`, `Impact:`, `Next steps:` from `statusUpdate`.
    /// * updateReminder: `No status update for #42 since <time>; send one with
    ///   alertctl update 42 …`, since its last `status_update` entry, else its opening.
    /// * resolved: `Resolved: #42 <title> after 1h 12m`; for SEV1 and SEV2 a
    ///   post-incident review is due, by `resolvedAt + postmortemWithin` when given.
    ///
    /// `timeline` is the incident's timeline in the store's order; the last
    /// ``timelineLimit`` entries are printed as `RFC3339 kind detail`.
    public static func body(
        _ incident: Incident, kind: PageKind, step: Int, statusUpdate: StatusUpdate?, timeline: [TimelineEntry],
        now: Date, postmortemWithin: TimeInterval? = nil
    ) -> String {
        var text: [String] = []
        let id = incident.id
        let title = line(incident.title)
        switch kind {
        case .declared:
            text.append("Incident declared: \(incident.severity) — \(title)")
        case .escalation:
            let since = severityReachedAt(incident, timeline: timeline)
            text.append(
                "Escalation: #\(id) not acknowledged after \(duration(now.timeIntervalSince(since))), step \(max(step, 0) + 1)")
        case .statusUpdate:
            text.append("Status update: #\(id) \(incident.severity) — \(title)")
            if let statusUpdate {
                text.append("Status: \(statusUpdate.status.rawValue)")
                text.append("Impact: \(block(statusUpdate.impact))")
                text.append("Next steps: \(block(statusUpdate.next))")
                text.append("From: \(line(statusUpdate.by))")
            } else {
                text.append("Status: (no details were given)")
            }
        case .updateReminder:
            let last = timeline.last { $0.kind == .statusUpdate }?.at ?? incident.openedAt
            text.append(
                "No status update for #\(id) since \(RFC3339.format(last)) (\(duration(now.timeIntervalSince(last))) ago); "
                    + "send one with alertctl update \(id) --status investigating|mitigating|monitoring "
                    + "--impact \"…\" --next \"…\"")
        case .resolved:
            let resolvedAt = incident.resolvedAt ?? now
            text.append("Resolved: #\(id) \(title) after \(duration(resolvedAt.timeIntervalSince(incident.openedAt)))")
            if let by = incident.resolvedBy {
                text.append("Resolved by: \(line(by))")
            } else if incident.autoResolved {
                text.append("Resolved by: alertd (every alert resolved)")
            }
            if incident.severity <= .sev2 {
                var review = "A post-incident review is due"
                if let postmortemWithin {
                    review += " by \(RFC3339.format(resolvedAt.addingTimeInterval(postmortemWithin)))"
                }
                text.append(review + "; draft it with alertctl postmortem \(id)")
            }
        }
        text.append("")
        text += facts(incident, now: now)
        if incident.state == .open && kind != .resolved {
            text.append("Acknowledge: alertctl ack \(id)")
        }
        if !timeline.isEmpty {
            text.append("")
            let shown = timeline.suffix(timelineLimit)
            text.append(
                shown.count < timeline.count
                    ? "Timeline (last \(shown.count) of \(timeline.count)):" : "Timeline:")
            for entry in shown {
                text.append("  \(RFC3339.format(entry.at)) \(entry.kind.rawValue) \(line(entry.detail))")
            }
        }
        return text.joined(separator: "\n") + "\n"
    }

    /// `45s`, `15m`, `1m 30s`, `1h 12m`, `2d 3h`: the largest non-zero unit
    /// and the next one when it is not zero; whole seconds rounded down,
    /// `0s` for less than a second.
    public static func duration(_ interval: TimeInterval) -> String {
        guard interval.isFinite, interval >= 1 else { return "0s" }
        let total = Int(min(interval, Double(Int.max / 2)))
        let units = [(86_400, "d"), (3600, "h"), (60, "m"), (1, "s")]
        let counts = units.enumerated().map { index, unit in
            (index == 0 ? total / unit.0 : total % units[index - 1].0 / unit.0, unit.1)
        }
        guard let first = counts.firstIndex(where: { $0.0 > 0 }) else { return "0s" }
        var text = "\(counts[first].0)\(counts[first].1)"
        if first + 1 < counts.count, counts[first + 1].0 > 0 { text += " \(counts[first + 1].0)\(counts[first + 1].1)" }
        return text
    }

    /// Untrusted text for one line: every control character (newlines and
    /// tabs too) becomes a space.
    public static func line(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { isControl($0) ? " " : $0 }))
    }

    /// Untrusted text for a block: control characters removed, except
    /// newline and tab (a CR LF becomes a newline).
    public static func block(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { $0 == "\n" || $0 == "\t" || !isControl($0) }))
    }

    // MARK: Pieces

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control
    }

    /// The incident's facts, common to every kind.
    private static func facts(_ incident: Incident, now: Date) -> [String] {
        var text = [
            "Incident: #\(incident.id) \(line(incident.title))",
            "Severity: \(incident.severity)",
            "State: \(incident.state.rawValue)" + (incident.acknowledgedBy.map { " (acknowledged by \(line($0)))" } ?? ""),
            "Opened: \(RFC3339.format(incident.openedAt)) (\(duration(now.timeIntervalSince(incident.openedAt))) ago)",
            "Incident commander: \(incident.roles["ic"].map(line) ?? "unassigned")",
        ]
        if incident.flapping { text.append("Flapping: yes (pages are paused until it is stable)") }
        if incident.maintenance { text.append("Maintenance: yes") }
        let alerts = incident.alerts.values.sorted {
            ($0.status == .firing ? 0 : 1, $0.firstSeen, $0.fingerprint)
                < ($1.status == .firing ? 0 : 1, $1.firstSeen, $1.fingerprint)
        }
        if !alerts.isEmpty {
            text.append("Alerts: \(incident.firingCount) firing of \(alerts.count)")
            for alert in alerts.prefix(alertLimit) {
                var item = "  - \(alert.status.rawValue) \(line(alert.check))"
                if let host = alert.host { item += " on \(line(host))" }
                if let summary = alert.summary, !summary.isEmpty { item += ": \(line(summary))" }
                if alert.count > 1 { item += " (\(alert.count)×)" }
                text.append(item)
            }
            if alerts.count > alertLimit { text.append("  … and \(alerts.count - alertLimit) more") }
        }
        return text
    }

    /// When the incident reached its current severity: escalation counts from there.
    private static func severityReachedAt(_ incident: Incident, timeline: [TimelineEntry]) -> Date {
        let restart = timeline.last { $0.kind == .severityChanged || $0.kind == .reopened }?.at
        return max(restart ?? incident.openedAt, incident.openedAt)
    }
}
