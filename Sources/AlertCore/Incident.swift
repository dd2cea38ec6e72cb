import Foundation

/// Incident life cycle (SPEC §3): open → acknowledged → mitigated → resolved.
/// Alerts move an incident to resolved and back to open.
public enum IncidentState: String, Sendable, Codable, CaseIterable {
    case open, acknowledged, mitigated, resolved

    public var isActive: Bool { self != .resolved }
}

/// One alert as part of an incident: its life within that incident.
public struct IncidentAlert: Sendable, Equatable {
    public var incidentID: Int64
    public var fingerprint: String
    public var check: String
    public var host: String?
    public var source: String?
    public var summary: String?
    public var status: AlertStatus
    public var severity: Severity
    public var labels: [String: String]
    public var firstSeen: Date
    public var lastSeen: Date
    public var count: Int64
    /// A firing alert resolves by itself at this time unless refreshed
    /// (the sender's `endsAt`); nil: it fires until resolved.
    public var expiresAt: Date?

    public init(
        incidentID: Int64, fingerprint: String, check: String, host: String?, source: String?,
        summary: String?, status: AlertStatus, severity: Severity, labels: [String: String],
        firstSeen: Date, lastSeen: Date, count: Int64, expiresAt: Date? = nil
    ) {
        self.incidentID = incidentID
        self.fingerprint = fingerprint
        self.check = check
        self.host = host
        self.source = source
        self.summary = summary
        self.status = status
        self.severity = severity
        self.labels = labels
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.expiresAt = expiresAt
    }
}

extension IncidentAlert {
    /// Whether it still carries the texts the engine holds only until they
    /// are written (summary, source, labels).
    public var holdsTexts: Bool { summary != nil || source != nil || !labels.isEmpty }

    /// Drops the written-through texts (see `IncidentEngine.takeChanges`).
    public mutating func forgetTexts() {
        summary = nil
        source = nil
        labels = [:]
    }
}

/// An incident: alerts grouped under one `group_key`, with a state, a
/// severity and counters. Its alerts are kept in `alerts`, keyed by
/// fingerprint; the timeline lives in the store.
public struct Incident: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var severity: Severity
    public var state: IncidentState
    /// The grouping identity: `fp:<fingerprint>` or `<rule>{k="v",…}`.
    public var groupKey: String
    /// The rule that classified the first alert, if any.
    public var rule: String?
    public var openedAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var mitigatedAt: Date?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    /// Resolved because every alert resolved (eligible for `reopen_within`).
    public var autoResolved: Bool
    /// Every firing alert received for it, repeats included.
    public var occurrences: Int64
    public var lastSeen: Date
    /// Incident roles (`ic`, `ops`, `comms`) to names.
    public var roles: [String: String]
    public var maintenance: Bool
    public var flapping: Bool
    public var alerts: IncidentAlerts
    /// Where the incident stands in its escalation policy; nil once resolved.
    public var escalation: EscalationState?
    /// When the post-incident review is due (SEV1/SEV2 with `postmortem_within`).
    public var postmortemDueAt: Date?
    /// How many of `alerts` are firing; kept by the engine so resolving one
    /// alert of a large incident is O(1).
    public var firingCount: Int

    public init(
        id: Int64, title: String, severity: Severity, state: IncidentState, groupKey: String,
        rule: String?, openedAt: Date, acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil,
        mitigatedAt: Date? = nil, resolvedAt: Date? = nil, resolvedBy: String? = nil,
        autoResolved: Bool = false, occurrences: Int64 = 0, lastSeen: Date,
        roles: [String: String] = [:], maintenance: Bool = false, flapping: Bool = false,
        alerts: IncidentAlerts = [:], escalation: EscalationState? = nil, postmortemDueAt: Date? = nil
    ) {
        self.id = id
        self.title = title
        self.severity = severity
        self.state = state
        self.groupKey = groupKey
        self.rule = rule
        self.openedAt = openedAt
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
        self.mitigatedAt = mitigatedAt
        self.resolvedAt = resolvedAt
        self.resolvedBy = resolvedBy
        self.autoResolved = autoResolved
        self.occurrences = occurrences
        self.lastSeen = lastSeen
        self.roles = roles
        self.maintenance = maintenance
        self.flapping = flapping
        self.alerts = alerts
        self.escalation = escalation
        self.postmortemDueAt = postmortemDueAt
        self.firingCount = alerts.reduce(0) { $1.value.status == .firing ? $0 + 1 : $0 }
    }
}

/// Kinds of timeline entry (SPEC §7).
public enum TimelineKind: String, Sendable, Codable, CaseIterable {
    case opened, alertAttached = "alert_attached", alertResolved = "alert_resolved"
    case severityChanged = "severity_changed", pageQueued = "page_queued", pageSent = "page_sent"
    case pageFailed = "page_failed", pageGaveUp = "page_gave_up", escalated
    case responseTargetBreached = "response_target_breached", acknowledged, mitigated, resolved
    case reopened, roleAssigned = "role_assigned", note, statusUpdate = "status_update"
    case maintenanceStarted = "maintenance_started", maintenanceEnded = "maintenance_ended"
    case flapping, postmortemDue = "postmortem_due"
}

/// One line of an incident's story.
public struct TimelineEntry: Sendable, Equatable {
    public var incidentID: Int64
    public var at: Date
    public var kind: TimelineKind
    public var detail: String

    public init(incidentID: Int64, at: Date, kind: TimelineKind, detail: String) {
        self.incidentID = incidentID
        self.at = at
        self.kind = kind
        self.detail = detail
    }
}

/// What happened to an alert, for `alertctl explain` (SPEC §7).
public struct Fate: Sendable, Equatable {
    public enum Decision: String, Sendable, Codable {
        case opened, deduplicated, dropped, silenced, maintenance, inhibited, flapping, held, paged
        /// A `resolved` alert: it resolved its incident's alert (or found none).
        case resolved
    }

    public var fingerprint: String
    public var at: Date
    public var rule: String?
    public var severity: Severity
    public var incidentID: Int64?
    public var decision: Decision
    public var reasons: [String]

    public init(
        fingerprint: String, at: Date, rule: String?, severity: Severity, incidentID: Int64?,
        decision: Decision, reasons: [String]
    ) {
        self.fingerprint = fingerprint
        self.at = at
        self.rule = rule
        self.severity = severity
        self.incidentID = incidentID
        self.decision = decision
        self.reasons = reasons
    }
}
