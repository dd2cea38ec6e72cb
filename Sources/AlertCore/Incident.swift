import Foundation

/// Incident life cycle (SPEC §3): open → acknowledged → mitigated → resolved.
/// Alerts move an incident to resolved and back to open.
public enum IncidentState: String, Sendable, Codable, CaseIterable {
    case open, acknowledged, mitigated, resolved

    public var isActive: Bool { self != .resolved }
}

/// One alert as part of an incident: its life within that incident.
///
/// The engine keeps every open incident's alerts in memory, so the texts
/// it writes through and then forgets (source, summary, labels; see
/// `IncidentEngine.forgetWrittenTexts`) live in one optional box, absent
/// once forgotten: 99 bytes instead of 137.
public struct IncidentAlert: Sendable, Equatable {
    public var incidentID: Int64
    public var fingerprint: String
    public var check: String
    public var host: String?
    private var texts: SeldomSet<Texts>
    public var firstSeen: Date
    public var lastSeen: Date
    public var count: Int64
    /// The engine's note of the last fate written for this alert (a digest
    /// of everything but its time; 0: none known), so a repeat's fate that
    /// says the same is not written again (`IncidentEngine.fatesToWrite`).
    /// Bookkeeping, not part of the alert: `==` leaves it out.
    var writtenFate: UInt64 = 0
    /// A firing alert resolves by itself at this time unless refreshed
    /// (the sender's `endsAt`); nil: it fires until resolved.
    public var expiresAt: Date?
    // The one-byte fields, then the four-byte one, last: declared in this
    // order, little is padded (112 bytes, jemalloc's 128-byte class with
    // its box's header; the two one-byte fields after `texts` padded it by
    // six).
    public var status: AlertStatus
    public var severity: Severity
    /// The engine's note of the summary last written for this alert (a
    /// digest; 0: none known), so a repeat that carries the same summary
    /// leaves it alone (`IncidentEngine.attach`): the engine forgets a
    /// written summary. Bookkeeping, not part of the alert: `==` leaves it
    /// out.
    var writtenSummary: UInt32 = 0

    public var source: String? {
        get { texts[\.source] }
        set { texts.edit { $0.source = newValue } }
    }
    public var summary: String? {
        get { texts[\.summary] }
        set { texts.edit { $0.summary = newValue } }
    }
    public var labels: [String: String] {
        get { texts[\.labels, unset: [:]] }
        set { texts.edit { $0.labels = newValue } }
    }

    public init(
        incidentID: Int64, fingerprint: String, check: String, host: String?, source: String?,
        summary: String?, status: AlertStatus, severity: Severity, labels: [String: String],
        firstSeen: Date, lastSeen: Date, count: Int64, expiresAt: Date? = nil
    ) {
        self.incidentID = incidentID
        self.fingerprint = fingerprint
        self.check = check
        self.host = host
        texts = SeldomSet(Texts(source: source, summary: summary, labels: labels))
        self.status = status
        self.severity = severity
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.count = count
        self.expiresAt = expiresAt
    }

    private struct Texts: SeldomSetFields {
        var source: String?
        var summary: String?
        var labels: [String: String] = [:]
    }
}

extension IncidentAlert {
    /// Equal as alerts: everything but the engine's notes (`writtenFate`,
    /// `writtenSummary`).
    public static func == (lhs: IncidentAlert, rhs: IncidentAlert) -> Bool {
        lhs.incidentID == rhs.incidentID && lhs.fingerprint == rhs.fingerprint && lhs.check == rhs.check
            && lhs.host == rhs.host && lhs.texts == rhs.texts && lhs.firstSeen == rhs.firstSeen
            && lhs.lastSeen == rhs.lastSeen && lhs.count == rhs.count && lhs.expiresAt == rhs.expiresAt
            && lhs.status == rhs.status && lhs.severity == rhs.severity
    }

    /// Whether it still carries the texts the engine holds only until they
    /// are written (summary, source, labels).
    public var holdsTexts: Bool { !texts.isEmpty }

    /// Drops the written-through texts (see `IncidentEngine.takeChanges`),
    /// noting which summary was written.
    public mutating func forgetTexts() {
        if let summary { writtenSummary = Self.digest(summary) }
        texts.clear()
    }

    /// Whether `summary` is news for this alert: it differs from the one it
    /// holds, or it holds none and `summary` is not the one last written.
    func isNew(summary: String) -> Bool {
        if let held = self.summary { return summary != held }
        return Self.digest(summary) != writtenSummary
    }

    /// A summary's digest for `writtenSummary`: never 0.
    static func digest(_ summary: String) -> UInt32 {
        var hash = FNV1a64()
        hash.add(summary)
        return UInt32(truncatingIfNeeded: hash.value >> 32) | 1
    }
}

/// An incident: alerts grouped under one `group_key`, with a state, a
/// severity and counters. Its alerts are kept in `alerts`, keyed by
/// fingerprint; the timeline lives in the store.
///
/// The engine keeps every open incident in memory, so the fields most open
/// incidents never set (acknowledged or resolved at and by whom, roles…;
/// or that the engine forgets once written: title, rule) live in one
/// optional box (`Details`), absent when all are unset: an incident is 134
/// bytes instead of 300.
public struct Incident: Sendable, Equatable {
    // Stored properties largest first, the one-byte ones together at the
    // end: declared in this order, Swift pads nothing (an incident is kept
    // in memory for every open alert).
    public var id: Int64
    /// `groupKey` without its `fp:`: for the usual incident, grouped by
    /// fingerprint, the very string its alert's fingerprint is (no copy of
    /// it and no "fp:…" string per open incident).
    private(set) var group: String
    public var openedAt: Date
    public var lastSeen: Date
    /// Every firing alert received for it, repeats included.
    public var occurrences: Int64
    /// How many of `alerts` are firing; kept by the engine so resolving one
    /// alert of a large incident is O(1).
    public var firingCount: Int
    public var alerts: IncidentAlerts
    private var details: SeldomSet<Details>
    /// Where the incident stands in its escalation policy; nil once resolved.
    public var escalation: EscalationState?
    public var severity: Severity
    public var state: IncidentState
    /// The yes/no fields, one bit each. With a `Bool` each an incident was
    /// 137 bytes: with its box's 16-byte header, one byte too many for
    /// malloc's 160-byte block, so it took a 176-byte one.
    private var flags: Flags

    private struct Flags: OptionSet, Sendable, Equatable {
        let rawValue: UInt8
        static let groupedByFingerprint = Flags(rawValue: 1 << 0)
        static let autoResolved = Flags(rawValue: 1 << 1)
        static let maintenance = Flags(rawValue: 1 << 2)
        static let flapping = Flags(rawValue: 1 << 3)

        mutating func set(_ flag: Flags, _ on: Bool) {
            if on { insert(flag) } else { remove(flag) }
        }
    }

    /// Grouped by its alert's fingerprint (`groupKey` is `fp:` + `group`);
    /// else `group` is the whole key.
    private(set) var groupedByFingerprint: Bool {
        get { flags.contains(.groupedByFingerprint) }
        set { flags.set(.groupedByFingerprint, newValue) }
    }
    /// Resolved because every alert resolved (eligible for `reopen_within`).
    public var autoResolved: Bool {
        get { flags.contains(.autoResolved) }
        set { flags.set(.autoResolved, newValue) }
    }
    public var maintenance: Bool {
        get { flags.contains(.maintenance) }
        set { flags.set(.maintenance, newValue) }
    }
    public var flapping: Bool {
        get { flags.contains(.flapping) }
        set { flags.set(.flapping, newValue) }
    }
    /// The grouping identity: `fp:<fingerprint>` or `<rule>{k="v",…}`.
    public var groupKey: String {
        get { groupedByFingerprint ? "fp:" + group : group }
        set { setGroup(IncidentGroup(text: newValue)) }
    }

    /// Takes `group` as its grouping identity, holding its string itself.
    mutating func setGroup(_ group: IncidentGroup) {
        groupedByFingerprint = group.byFingerprint
        self.group = group.value
    }

    /// After reading an incident grouped by fingerprint: keeps its alert's
    /// fingerprint string as the group, instead of a second copy of it.
    public mutating func shareGroupString() {
        guard groupedByFingerprint, let alert = alerts[group] else { return }
        group = alert.fingerprint
    }

    public var title: String {
        get { details[\.title, unset: ""] }
        set { details.edit { $0.title = newValue } }
    }
    /// The rule that classified the first alert, if any.
    public var rule: String? {
        get { details[\.rule] }
        set { details.edit { $0.rule = newValue } }
    }
    public var acknowledgedAt: Date? {
        get { details[\.acknowledgedAt] }
        set { details.edit { $0.acknowledgedAt = newValue } }
    }
    public var resolvedAt: Date? {
        get { details[\.resolvedAt] }
        set { details.edit { $0.resolvedAt = newValue } }
    }
    public var acknowledgedBy: String? {
        get { details[\.acknowledgedBy] }
        set { details.edit { $0.acknowledgedBy = newValue } }
    }
    public var mitigatedAt: Date? {
        get { details[\.mitigatedAt] }
        set { details.edit { $0.mitigatedAt = newValue } }
    }
    public var resolvedBy: String? {
        get { details[\.resolvedBy] }
        set { details.edit { $0.resolvedBy = newValue } }
    }
    /// Incident roles (`ic`, `ops`, `comms`) to names.
    public var roles: [String: String] {
        get { details[\.roles, unset: [:]] }
        set { details.edit { $0.roles = newValue } }
    }
    /// When the post-incident review is due (SEV1/SEV2 with `postmortem_within`).
    public var postmortemDueAt: Date? {
        get { details[\.postmortemDueAt] }
        set { details.edit { $0.postmortemDueAt = newValue } }
    }

    public init(
        id: Int64, title: String, severity: Severity, state: IncidentState, groupKey: String,
        rule: String?, openedAt: Date, acknowledgedAt: Date? = nil, acknowledgedBy: String? = nil,
        mitigatedAt: Date? = nil, resolvedAt: Date? = nil, resolvedBy: String? = nil,
        autoResolved: Bool = false, occurrences: Int64 = 0, lastSeen: Date,
        roles: [String: String] = [:], maintenance: Bool = false, flapping: Bool = false,
        alerts: IncidentAlerts = [:], escalation: EscalationState? = nil, postmortemDueAt: Date? = nil
    ) {
        self.id = id
        self.severity = severity
        self.state = state
        let group = IncidentGroup(text: groupKey)
        var flags: Flags = []
        flags.set(.groupedByFingerprint, group.byFingerprint)
        flags.set(.autoResolved, autoResolved)
        flags.set(.maintenance, maintenance)
        flags.set(.flapping, flapping)
        self.flags = flags
        self.group = group.value
        self.openedAt = openedAt
        self.occurrences = occurrences
        self.lastSeen = lastSeen
        self.alerts = alerts
        self.escalation = escalation
        self.firingCount = alerts.reduce(0) { $1.value.status == .firing ? $0 + 1 : $0 }
        let details = Details(
            title: title, rule: rule, acknowledgedAt: acknowledgedAt, acknowledgedBy: acknowledgedBy,
            mitigatedAt: mitigatedAt, resolvedAt: resolvedAt, resolvedBy: resolvedBy, roles: roles,
            postmortemDueAt: postmortemDueAt)
        self.details = SeldomSet(details)
    }

    /// The seldom-set fields.
    private struct Details: SeldomSetFields {
        var title = ""
        var rule: String?
        var acknowledgedAt: Date?
        var acknowledgedBy: String?
        var mitigatedAt: Date?
        var resolvedAt: Date?
        var resolvedBy: String?
        var roles: [String: String] = [:]
        var postmortemDueAt: Date?
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
