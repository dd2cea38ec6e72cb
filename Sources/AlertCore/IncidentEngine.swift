import Foundation

/// Incident settings from the config's `incidents:` block (SPEC §4).
public struct IncidentSettings: Sendable, Equatable {
    public var autoResolve: Bool
    public var reopenWithin: TimeInterval

    public init(autoResolve: Bool = true, reopenWithin: TimeInterval = 15 * 60) {
        self.autoResolve = autoResolve
        self.reopenWithin = reopenWithin
    }
}

/// Deduplication, grouping, auto-resolve and reopen (SPEC §3) as a pure state
/// machine: every method takes `now`, mutates in-memory state and records
/// what must be written. It does no I/O; the pipeline persists `takeChanges()`
/// in one transaction before acknowledging anything.
///
/// It knows the active incidents plus the auto-resolved ones that may still
/// reopen; everything older lives only in the store. Of those it holds
/// what decisions need: texts are written through (`forgetWrittenTexts`).
/// With a `source`, it also lets go of active incidents nothing has touched
/// lately (beyond `residentLimit`), keeping only their index entries and
/// due times, and reads one back when an alert, a due step or a command
/// needs it (`IncidentEngine+Resident.swift`).
public struct IncidentEngine: Sendable {
    public var settings: IncidentSettings {
        // A new reopen_within moves when each reopenable incident is let go
        // (one not held: by the difference, from its scheduled time).
        didSet {
            let shift = settings.reopenWithin - oldValue.reopenWithin
            for id in reopenableByGroup.ids {
                if incidents.contains(id) {
                    scheduleReopenEnd(id)
                } else if let end = reopenEnds.time(of: id) {
                    reopenEnds.set(id, at: end.addingTimeInterval(shift))
                }
            }
        }
    }
    /// The incidents held in memory: not every active one once some were let go.
    internal(set) public var incidents = IncidentTable()
    var active = ActiveIndex()
    var reopenableByGroup = GroupIndex()
    /// When each reopenable incident's `reopen_within` ends: the engine lets
    /// it go then (a mass resolve makes thousands reopenable at once, and a
    /// commit must not look at each of them).
    var reopenEnds = DueSchedule<Int64>()
    /// The groups of reopenable incidents that were let go of (to end their
    /// `reopen_within` without reading them back).
    var reopenableLetGo: [Int64: IncidentGroup] = [:]
    /// Firing alerts of active incidents that resolve by themselves at a
    /// time (the sender's `endsAt`), by fingerprint.
    var expiries = DueSchedule<String>()
    /// When each active incident's escalation next needs `tick` (a step, a
    /// breach, a reminder): the cycle visits only those due.
    var attention = DueSchedule<Int64>()
    internal(set) public var nextID: Int64
    /// Active incidents by severity, kept as incidents change (for gauges and
    /// status lines without scanning every incident).
    internal(set) public var activeCounts: [Severity: Int] = [:]

    /// Where incidents let go of are read back from; nil keeps them all.
    public var source: (any IncidentSource)?
    /// How many active incidents stay in memory when there is a `source`.
    public var residentLimit = 20_000
    /// Whether any active incident was ever let go of (none is read back before).
    var hasLetGo = false
    /// Incidents changed since the last time some were let go: kept then.
    var recentlyChanged: Set<Int64> = []
    /// Why the source last failed to give an incident back, for the log.
    public var sourceError: (any Error)?

    var dirtyIncidents: Set<Int64> = []
    /// Incidents that counted a repeat; those also in `dirtyIncidents` are
    /// written whole, the others by their counts alone (`ChangeSet.counts`).
    var countedIncidents: Set<Int64> = []
    var dirtyAlerts: Set<AlertKey> = []
    /// Alerts that counted a repeat and changed nothing else (status,
    /// severity); those also in `dirtyAlerts` are written whole, the others
    /// by their counts (`ChangeSet.alertCounts`).
    var countedAlerts: Set<AlertKey> = []
    var pendingTimeline: [TimelineEntry] = []
    var pendingFates: [String: Fate] = [:]
    var pendingPages: [OutboxPage] = []
    /// What paging needs of the configuration; set on start and reload
    /// (new policies move every active incident's next due time).
    public var paging = PagingPolicy() {
        didSet {
            guard paging != oldValue else { return }
            heldUntil = nil
            for (id, incident) in incidents where incident.state.isActive { reschedule(id) }
            rescheduleLetGo()
        }
    }
    private(set) public var nextPageID: Int64 = 1
    /// When pages held for business hours at `now` are sent, and that time
    /// as text, for the last `now` asked about: a batch's alerts share one
    /// `now`, so a flood of new incidents held at night works it out once.
    var heldUntil: (now: Date, opening: Date, text: String)?

    struct AlertKey: Hashable {
        var incident: Int64
        var fingerprint: String
    }

    /// - Parameters:
    ///   - incidents: active incidents and recently auto-resolved ones, with their alerts.
    ///   - nextID: the id the next new incident gets.
    public init(
        settings: IncidentSettings = IncidentSettings(), incidents: [Incident] = [], nextID: Int64 = 1,
        paging: PagingPolicy = PagingPolicy(), nextPageID: Int64 = 1
    ) {
        self.init(
            settings: settings, incidentsByID: incidents.reduce(into: IncidentTable()) { table, incident in
                if table[incident.id] == nil { table[incident.id] = incident }
            },
            nextID: nextID, paging: paging, nextPageID: nextPageID)
    }

    /// The same, from incidents keyed by id as the store reads them (no
    /// copy of each incident: start-up reads every active one).
    public init(
        settings: IncidentSettings = IncidentSettings(), incidentsByID: IncidentTable, nextID: Int64 = 1,
        paging: PagingPolicy = PagingPolicy(), nextPageID: Int64 = 1
    ) {
        self.settings = settings
        self.nextID = nextID
        self.paging = paging
        self.nextPageID = nextPageID
        incidents = incidentsByID
        active.reserveCapacity(incidentsByID.count)
        attention.reserveCapacity(incidentsByID.count)
        incidentsByID.forEachInPlace { index($0) }
    }

    /// Brings an incident loaded from the store under the engine's control
    /// (e.g. to add a note to an old, resolved one). One the engine knows
    /// but let go of is read back from the source instead: `incident` may
    /// be older than what was committed since.
    public mutating func adopt(_ incident: Incident) {
        guard incidents[incident.id] == nil else { return }
        if isIndexed(incident) {
            _ = holds(incident.id)
            return
        }
        incidents[incident.id] = incident
        index(incident)
    }

    /// Enters an incident held in `incidents` into the engine's indexes.
    private mutating func index(_ incident: borrowing Incident) {
        nextID = max(nextID, incident.id + 1)
        if incident.state.isActive {
            indexWithoutAlerts(incident)
            let id = incident.id
            incident.alerts.forEachInPlace { alert in
                index(IndexedAlert(incidentID: id, fingerprint: alert.fingerprint, firing: alert.status == .firing, expiresAt: alert.expiresAt))
            }
        } else if incident.autoResolved {
            reopenableByGroup[incident.groupIdentity] = incident.id
            scheduleReopenEnd(incident)
        }
    }

    /// Enters an active incident into the indexes by itself: its group,
    /// its count by severity, its next due time. Its alerts come separately.
    mutating func indexWithoutAlerts(_ incident: borrowing Incident) {
        nextID = max(nextID, incident.id + 1)
        activeCounts[incident.severity, default: 0] += 1
        active[incident.groupIdentity] = incident.id
        attention.set(incident.id, at: nextAttention(incident))
    }

    /// Enters an alert of an active incident into the indexes.
    mutating func index(_ alert: IndexedAlert) {
        active.setHolder(alert.key, alert.incidentID)
        if alert.firing, let at = alert.expiresAt { expiries.set(alert.fingerprint, at: at) }
    }

    /// The engine's working copy of incident `id`, if it holds it in memory
    /// (`resident(_:)` reads back one it let go of): what decisions need.
    /// Once written, its title, rule and its alerts' summaries, sources and
    /// labels are blank here (`forgetWrittenTexts`); the store has them.
    public func incident(_ id: Int64) -> Incident? { incidents[id] }

    /// The active incident holding an alert with this fingerprint, whether
    /// or not it is in memory: where `alertctl explain` finds the alert's
    /// fate, and which incident a PagerDuty `acknowledge` names.
    public func incident(holding fingerprint: String) -> Int64? { active[holding: fingerprint] }

    /// The active incidents held in memory: all of them when there is no `source`.
    public var activeIncidents: some Collection<Incident> { incidents.values.filter { $0.state.isActive } }

    /// The identity alerts are grouped by: the fingerprint, or the rule that
    /// set `group_by` plus those fields' values.
    public static func groupKey(fingerprint: String, alert: Alert, classification: Classification) -> String {
        group(fingerprint: fingerprint, alert: alert, classification: classification).description
    }

    static func group(fingerprint: String, alert: Alert, classification: Classification) -> IncidentGroup {
        guard let fields = classification.groupBy else { return IncidentGroup(byFingerprint: true, value: fingerprint) }
        var key = (classification.groupRule ?? "") + "{"
        for (index, field) in fields.enumerated() {
            if index > 0 { key += "," }
            let value = alert.value(of: field).replacingOccurrences(of: "\"", with: "\\\"")
            key += "\(field)=\"\(value)\""
        }
        return IncidentGroup(text: key + "}")
    }

    // MARK: Alerts

    /// Applies one classified alert and returns its fate.
    @discardableResult
    public mutating func ingest(
        _ alert: Alert, fingerprint: String, classification: Classification, now: Date
    ) -> Fate {
        if let fate = repeatDecidedInThisBatch(alert, fingerprint: fingerprint, classification: classification, now: now) {
            return fate
        }
        var fate = Fate(
            fingerprint: fingerprint, at: now, rule: classification.rule, severity: classification.severity,
            incidentID: nil, decision: .dropped, reasons: classification.reasons)
        if classification.dropped {
            fate.reasons.append("dropped: stored for explain only, no incident")
        } else if alert.status == .resolved {
            if let resolved = resolveAlert(alert, fingerprint: fingerprint, now: now, fate: &fate) {
                finishEscalation(resolved, now: now)
            }
        } else {
            let group = Self.group(fingerprint: fingerprint, alert: alert, classification: classification)
            fire(alert, fingerprint: fingerprint, group: group, classification: classification, now: now, fate: &fate)
        }
        pendingFates[fingerprint] = fate
        return fate
    }

    /// The most common alert of all: a repeat of an alert that is firing on
    /// an open incident, whose fate this batch has already recorded as such.
    /// It is counted on its incident, and the recorded fate stands (same
    /// time, same words), without writing the sentences again.
    private mutating func repeatDecidedInThisBatch(
        _ alert: Alert, fingerprint: String, classification: Classification, now: Date
    ) -> Fate? {
        guard alert.status == .firing, !classification.dropped, let pending = pendingFates[fingerprint],
            pending.decision == .deduplicated, pending.at == now, let id = pending.incidentID,
            active[holding: fingerprint] == id, pending.rule == classification.rule,
            pending.severity == classification.severity,
            pending.reasons.count == classification.reasons.count + 1,
            pending.reasons.last == Self.repeatReason,
            pending.reasons.starts(with: classification.reasons),
            countRepeat(alert, fingerprint: fingerprint, severity: classification.severity, on: id, now: now)
        else { return nil }
        return pending
    }

    /// Counts a repeat on its firing alert and incident where they lie,
    /// unless it would change more than counts (the alert is not firing, or
    /// the severity would rise): false then, and nothing changed. The
    /// batch's attach of the same alert already indexed it and marked both
    /// for writing (`countedIncidents` or `dirtyIncidents`, and
    /// `countedAlerts` or `dirtyAlerts`, emptied only at `takeChanges`,
    /// with `pendingFates`), with the severity this repeat has (the caller
    /// checks that the pending fate's is the same), so only the counts move
    /// here.
    private mutating func countRepeat(
        _ alert: borrowing Alert, fingerprint: String, severity: Severity, on id: Int64, now: Date
    ) -> Bool {
        let summary = alert.summary
        let endsAt = alert.endsAt
        var expiryMoved = false
        let counted = incidents.update(id) { incident -> Bool in
            guard !severity.isMoreSevere(than: incident.severity) else { return false }
            let counted =
                incident.alerts.update(fingerprint) { existing -> Bool in
                    guard existing.status == .firing else { return false }
                    existing.count += 1
                    existing.lastSeen = now
                    if let summary, existing.isNew(summary: summary) { existing.summary = summary }
                    existing.severity = severity
                    if existing.expiresAt != endsAt {
                        existing.expiresAt = endsAt
                        expiryMoved = true
                    }
                    return true
                } ?? false
            if counted {
                incident.occurrences += 1
                incident.lastSeen = now
            }
            return counted
        }
        if expiryMoved { expiries.set(fingerprint, at: endsAt) }
        return counted == true
    }

    /// One string for every repeat, built once: the fate names the incident
    /// (`incidentID`, explain's `incident:` line), so the sentence need
    /// not, and a stream of repeats builds no text.
    private static let repeatReason = "repeat of an alert already firing on its open incident; nobody paged again"

    private mutating func fire(
        _ alert: Alert, fingerprint: String, group: IncidentGroup, classification: Classification, now: Date,
        fate: inout Fate
    ) {
        let severity = classification.severity
        let paged: PagingOutcome
        if let id = active.incident(holding: fingerprint, orOf: group), holds(id) {
            // The engine keeps its own copy of a fingerprint new to the incident (`String.keptCopy`).
            let held = incidents[id]!.alerts[fingerprint]
            let repeated = held?.status == .firing
            let raised = attach(
                alert, fingerprint: held == nil ? fingerprint.keptCopy() : fingerprint, severity: severity, to: id, now: now)
            fate.decision = .deduplicated
            fate.reasons.append(
                repeated
                    ? Self.repeatReason
                    : "grouped into open incident #\(id) (group \(group)); nobody paged again")
            paged = raised ? startEscalation(id, now: now, declare: true) : .none
        } else if let id = reopenableByGroup[group], holds(id), let resolvedAt = incidents[id]?.resolvedAt,
            now.timeIntervalSince(resolvedAt) <= settings.reopenWithin
        {
            reopen(id, now: now, because: "\(alert.check) fired again within reopen_within of its auto-resolve")
            let held = incidents[id]!.alerts[fingerprint] != nil
            attach(alert, fingerprint: held ? fingerprint : fingerprint.keptCopy(), severity: severity, to: id, now: now)
            fate.decision = .opened
            fate.reasons.append("reopened incident #\(id), auto-resolved \(Int(now.timeIntervalSince(resolvedAt)))s earlier")
            paged = startEscalation(id, now: now, declare: true)
        } else {
            let kept = fingerprint.keptCopy()
            let group = group.byFingerprint && group.value == fingerprint ? IncidentGroup(byFingerprint: true, value: kept) : group
            let id = open(alert, group: group, severity: severity, rule: classification.rule, now: now)
            attach(alert, fingerprint: kept, severity: severity, to: id, now: now)
            fate.decision = .opened
            fate.reasons.append("opened incident #\(id)")
            paged = startEscalation(id, now: now, declare: true)
        }
        switch paged {
        case .none: break
        case .paged(let receivers):
            fate.decision = .paged
            fate.reasons.append("paged \(receivers.joined(separator: ", "))")
        case .held(let until, let receivers):
            fate.decision = .held
            fate.reasons.append("page to \(receivers.joined(separator: ", ")) held until \(RFC3339.format(until)) (business hours only)")
        }
        fate.incidentID = active[holding: fingerprint]
    }

    private mutating func open(_ alert: Alert, group: IncidentGroup, severity: Severity, rule: String?, now: Date) -> Int64 {
        let id = nextID
        nextID += 1
        if let stale = reopenableByGroup.removeValue(forKey: group) {
            reopenableLetGo.removeValue(forKey: stale)
            forgetIfSettled(stale)
        }
        var incident = Incident(
            id: id, title: alert.title, severity: severity, state: .open, groupKey: "", rule: rule, openedAt: now, lastSeen: now)
        incident.setGroup(group)
        incidents[id] = incident
        active[group] = id
        activeCounts[severity, default: 0] += 1
        dirtyIncidents.insert(id)
        record(id, now, .opened, "\(severity) incident opened: \(alert.title)" + (rule.map { " (rule \"\($0)\")" } ?? ""))
        return id
    }

    private mutating func reopen(_ id: Int64, now: Date, because reason: String) {
        guard var incident = incidents[id] else { return }
        reopenableByGroup.removeValue(forKey: incident.groupIdentity)
        incident.state = .open
        incident.resolvedAt = nil
        incident.resolvedBy = nil
        incident.autoResolved = false
        incident.acknowledgedAt = nil
        incident.acknowledgedBy = nil
        incident.mitigatedAt = nil
        incidents[id] = incident
        active[incident.groupIdentity] = id
        activeCounts[incident.severity, default: 0] += 1
        for fingerprint in incident.alerts.keys { active[holding: fingerprint] = id }
        dirtyIncidents.insert(id)
        record(id, now, .reopened, reason)
    }

    /// How an alert joined its incident, for the timeline.
    private enum Joining {
        case repeated, firedAgain, attached
    }

    /// Returns whether the alert raised the incident's severity.
    @discardableResult
    private mutating func attach(_ alert: Alert, fingerprint: String, severity: Severity, to id: Int64, now: Date) -> Bool {
        // The incident is changed in place (the hot path of every repeat);
        // the engine's other state is updated after, from what this returns.
        // The closures capture only what a repeat needs, not `alert`: a
        // capture of the whole alert copies it (retaining every field).
        let summary = alert.summary
        let endsAt = alert.endsAt
        func occurred(_ incident: inout Incident, previous: Severity) {
            incident.occurrences += 1
            incident.lastSeen = now
            if severity.isMoreSevere(than: previous) { incident.severity = severity }
        }
        var alertSeverityMoved = false
        let (seen, previous) = incidents.update(id) { incident -> (Joining?, Severity) in
            let previous = incident.severity
            let seen = incident.alerts.update(fingerprint) { existing -> Joining in
                var joining = Joining.repeated
                if existing.status == .resolved {
                    existing.status = .firing
                    joining = .firedAgain
                }
                existing.count += 1
                existing.lastSeen = now
                // Set only when it is news (not the summary held, nor the one
                // last written): the texts' box is then left alone, and the
                // store writes no summary.
                if let summary, existing.isNew(summary: summary) { existing.summary = summary }
                alertSeverityMoved = existing.severity != severity
                existing.severity = severity
                existing.expiresAt = endsAt
                return joining
            }
            if seen == .firedAgain { incident.firingCount += 1 }
            if seen != nil { occurred(&incident, previous: previous) }
            return (seen, previous)
        }!
        let joining = seen ?? .attached
        if seen == nil {
            let new = IncidentAlert(
                incidentID: id, fingerprint: fingerprint, check: alert.check.keptCopy(), host: alert.host?.keptCopy(),
                source: alert.source, summary: summary, status: .firing, severity: severity,
                labels: alert.labels, firstSeen: now, lastSeen: now, count: 1, expiresAt: endsAt)
            incidents.update(id) { incident in
                incident.alerts[fingerprint] = new
                incident.firingCount += 1
                occurred(&incident, previous: previous)
            }
        }
        switch joining {
        case .repeated: break
        case .firedAgain: record(id, now, .alertAttached, "\(alertLabel(alert, fingerprint)) fired again")
        case .attached: record(id, now, .alertAttached, "\(alertLabel(alert, fingerprint)) attached as \(severity)")
        }
        active[holding: fingerprint] = id
        expiries.set(fingerprint, at: alert.endsAt)
        // A plain repeat moved the alert's counts (and perhaps its summary)
        // alone; anything else writes it whole.
        if joining == .repeated && !alertSeverityMoved {
            countedAlerts.insert(AlertKey(incident: id, fingerprint: fingerprint))
        } else {
            dirtyAlerts.insert(AlertKey(incident: id, fingerprint: fingerprint))
        }
        let raised = severity.isMoreSevere(than: previous)
        if joining == .repeated && !raised {
            countedIncidents.insert(id)  // its counts are all that moved
        } else {
            dirtyIncidents.insert(id)
        }
        guard raised else { return false }
        record(id, now, .severityChanged, "\(previous) → \(severity): \(alertLabel(alert, fingerprint)) classified higher")
        changeActiveSeverity(from: previous, to: severity)
        return true
    }

    mutating func allocatePageID() -> Int64 {
        defer { nextPageID += 1 }
        return nextPageID
    }

    mutating func record(_ id: Int64, _ at: Date, _ kind: TimelineKind, _ detail: String) {
        pendingTimeline.append(TimelineEntry(incidentID: id, at: at, kind: kind, detail: detail))
    }

    func alertLabel(_ alert: Alert, _ fingerprint: String) -> String {
        "\(alert.check)" + (alert.host.map { " on \($0)" } ?? "") + " [\(fingerprint)]"
    }
}
