import Foundation

// The admin protocol between alertctl and alertd over control.sock: one JSON
// request per line, answered by one JSON line
// `{"ok":true,"result":…}` or `{"ok":false,"error":"…"}`.
// The `result` shapes are the `--json` output of alertctl (SPEC §7).

/// One admin request.
public struct ControlRequest: Codable, Sendable, Equatable {
    public enum Command: String, Codable, Sendable {
        case incidents, show, ack, resolve, note, severity, send, stats, explain, reload, update, assign
    }

    public var command: Command
    public var id: Int64?
    public var by: String?
    /// Note text, resolve note or severity-change reason.
    public var text: String?
    /// `incidents --state` (`all` for every state).
    public var state: String?
    public var severity: String?
    public var limit: Int?
    public var fingerprint: String?
    /// `send`: the alert to ingest.
    public var alert: SendAlert?
    /// `update`: investigating, mitigating or monitoring, with `impact` and `next`.
    public var status: String?
    public var impact: String?
    public var next: String?
    /// `assign`: role (`ic`, `ops`, `comms`) to name.
    public var roles: [String: String]?

    public init(
        command: Command, id: Int64? = nil, by: String? = nil, text: String? = nil, state: String? = nil,
        severity: String? = nil, limit: Int? = nil, fingerprint: String? = nil, alert: SendAlert? = nil,
        status: String? = nil, impact: String? = nil, next: String? = nil, roles: [String: String]? = nil
    ) {
        self.command = command
        self.id = id
        self.by = by
        self.text = text
        self.state = state
        self.severity = severity
        self.limit = limit
        self.fingerprint = fingerprint
        self.alert = alert
        self.status = status
        self.impact = impact
        self.next = next
        self.roles = roles
    }
}

/// The alert `alertctl send` submits.
public struct SendAlert: Codable, Sendable, Equatable {
    public var check: String
    public var host: String?
    public var summary: String?
    public var severity: String?
    public var resolve: Bool

    public init(check: String, host: String? = nil, summary: String? = nil, severity: String? = nil, resolve: Bool = false) {
        self.check = check
        self.host = host
        self.summary = summary
        self.severity = severity
        self.resolve = resolve
    }
}

/// An incident as `alertctl --json show` prints it. `alerts` and `timeline`
/// are nil in lists. Times are RFC 3339 UTC; absent times are `null`.
public struct IncidentView: Codable, Sendable, Equatable {
    public struct AlertView: Codable, Sendable, Equatable {
        public var fingerprint: String
        public var check: String
        public var host: String?
        public var summary: String?
        public var status: String
        public var severity: String
        public var labels: [String: String]
        public var firstSeen: String
        public var lastSeen: String
        public var count: Int64

        public init(_ alert: IncidentAlert) {
            fingerprint = alert.fingerprint
            check = alert.check
            host = alert.host
            summary = alert.summary
            status = alert.status.rawValue
            severity = alert.severity.description
            labels = alert.labels
            firstSeen = RFC3339.format(alert.firstSeen)
            lastSeen = RFC3339.format(alert.lastSeen)
            count = alert.count
        }
    }

    public struct TimelineView: Codable, Sendable, Equatable {
        public var at: String
        public var kind: String
        public var detail: String

        public init(_ entry: TimelineEntry) {
            at = RFC3339.format(entry.at)
            kind = entry.kind.rawValue
            detail = entry.detail
        }
    }

    public var id: Int64
    public var title: String
    public var severity: String
    public var state: String
    public var rule: String?
    public var openedAt: String
    public var acknowledgedAt: String?
    public var acknowledgedBy: String?
    public var mitigatedAt: String?
    public var resolvedAt: String?
    public var resolvedBy: String?
    public var lastSeen: String
    public var maintenance: Bool
    public var flapping: Bool
    public var alertCount: Int
    public var firingCount: Int
    public var occurrences: Int64
    public var roles: [String: String]
    public var postmortemDueAt: String?
    public var alerts: [AlertView]?
    public var timeline: [TimelineView]?

    /// - Parameter alertCount: needed when `incident.alerts` is not loaded (lists).
    public init(_ incident: Incident, alertCount: Int? = nil, firingCount: Int? = nil, timeline: [TimelineEntry]? = nil) {
        id = incident.id
        title = incident.title
        severity = incident.severity.description
        state = incident.state.rawValue
        rule = incident.rule
        openedAt = RFC3339.format(incident.openedAt)
        acknowledgedAt = incident.acknowledgedAt.map(RFC3339.format)
        acknowledgedBy = incident.acknowledgedBy
        mitigatedAt = incident.mitigatedAt.map(RFC3339.format)
        resolvedAt = incident.resolvedAt.map(RFC3339.format)
        resolvedBy = incident.resolvedBy
        lastSeen = RFC3339.format(incident.lastSeen)
        maintenance = incident.maintenance
        flapping = incident.flapping
        self.alertCount = alertCount ?? incident.alerts.count
        self.firingCount = firingCount ?? incident.firingCount
        occurrences = incident.occurrences
        roles = incident.roles
        postmortemDueAt = incident.postmortemDueAt.map(RFC3339.format)
        if let timeline {
            alerts = incident.alerts.values.sorted { ($0.firstSeen, $0.fingerprint) < ($1.firstSeen, $1.fingerprint) }
                .map(AlertView.init)
            self.timeline = timeline.map(TimelineView.init)
        }
    }

    enum CodingKeys: String, CodingKey {
        case id, title, severity, state, rule, openedAt = "opened_at", acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by", mitigatedAt = "mitigated_at", resolvedAt = "resolved_at"
        case resolvedBy = "resolved_by", lastSeen = "last_seen", maintenance, flapping
        case alertCount = "alert_count", firingCount = "firing_count", occurrences, roles
        case postmortemDueAt = "postmortem_due_at", alerts, timeline
    }

    // Written by hand so absent times are `null` rather than missing keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(title, forKey: .title)
        try c.encode(severity, forKey: .severity)
        try c.encode(state, forKey: .state)
        try c.encode(rule, forKey: .rule)
        try c.encode(openedAt, forKey: .openedAt)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(acknowledgedBy, forKey: .acknowledgedBy)
        try c.encode(mitigatedAt, forKey: .mitigatedAt)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(resolvedBy, forKey: .resolvedBy)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(maintenance, forKey: .maintenance)
        try c.encode(flapping, forKey: .flapping)
        try c.encode(alertCount, forKey: .alertCount)
        try c.encode(firingCount, forKey: .firingCount)
        try c.encode(occurrences, forKey: .occurrences)
        try c.encode(roles, forKey: .roles)
        try c.encode(postmortemDueAt, forKey: .postmortemDueAt)
        try c.encodeIfPresent(alerts, forKey: .alerts)
        try c.encodeIfPresent(timeline, forKey: .timeline)
    }
}

extension IncidentView.AlertView {
    enum CodingKeys: String, CodingKey {
        case fingerprint, check, host, summary, status, severity, labels
        case firstSeen = "first_seen", lastSeen = "last_seen", count
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(check, forKey: .check)
        try c.encode(host, forKey: .host)
        try c.encode(summary, forKey: .summary)
        try c.encode(status, forKey: .status)
        try c.encode(severity, forKey: .severity)
        try c.encode(labels, forKey: .labels)
        try c.encode(firstSeen, forKey: .firstSeen)
        try c.encode(lastSeen, forKey: .lastSeen)
        try c.encode(count, forKey: .count)
    }
}

/// `alertctl --json explain FINGERPRINT`.
public struct FateView: Codable, Sendable, Equatable {
    public var fingerprint: String
    public var at: String
    public var rule: String?
    public var severity: String
    public var incident: Int64?
    public var decision: String
    public var reasons: [String]

    public init(_ fate: Fate) {
        fingerprint = fate.fingerprint
        at = RFC3339.format(fate.at)
        rule = fate.rule
        severity = fate.severity.description
        incident = fate.incidentID
        decision = fate.decision.rawValue
        reasons = fate.reasons
    }

    enum CodingKeys: String, CodingKey { case fingerprint, at, rule, severity, incident, decision, reasons }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(fingerprint, forKey: .fingerprint)
        try c.encode(at, forKey: .at)
        try c.encode(rule, forKey: .rule)
        try c.encode(severity, forKey: .severity)
        try c.encode(incident, forKey: .incident)
        try c.encode(decision, forKey: .decision)
        try c.encode(reasons, forKey: .reasons)
    }
}

/// `alertctl --json stats`.
public struct StatsView: Codable, Sendable, Equatable {
    /// Active (not resolved) incidents by severity, every severity present.
    public var openBySeverity: [String: Int]
    /// Incidents by state, every state present.
    public var incidentsByState: [String: Int]
    /// Alerts received, rejected, deduplicated, dropped since start.
    public var alertsReceived: Int64
    public var alertsRejected: Int64
    public var alertsDeduplicated: Int64
    public var alertsDropped: Int64
    public var uptimeSeconds: Int64

    public init(
        openBySeverity: [String: Int], incidentsByState: [String: Int], alertsReceived: Int64,
        alertsRejected: Int64, alertsDeduplicated: Int64, alertsDropped: Int64, uptimeSeconds: Int64
    ) {
        self.openBySeverity = openBySeverity
        self.incidentsByState = incidentsByState
        self.alertsReceived = alertsReceived
        self.alertsRejected = alertsRejected
        self.alertsDeduplicated = alertsDeduplicated
        self.alertsDropped = alertsDropped
        self.uptimeSeconds = uptimeSeconds
    }

    enum CodingKeys: String, CodingKey {
        case openBySeverity = "open_by_severity", incidentsByState = "incidents_by_state"
        case alertsReceived = "alerts_received", alertsRejected = "alerts_rejected"
        case alertsDeduplicated = "alerts_deduplicated", alertsDropped = "alerts_dropped"
        case uptimeSeconds = "uptime_seconds"
    }
}

/// `alertctl --json send`: what happened to the submitted alert.
public struct SendResult: Codable, Sendable, Equatable {
    public var fingerprint: String
    public var decision: String
    public var incident: Int64?

    public init(fingerprint: String, decision: String, incident: Int64?) {
        self.fingerprint = fingerprint
        self.decision = decision
        self.incident = incident
    }
}
