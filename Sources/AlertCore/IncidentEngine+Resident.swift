import Foundation

/// An alert of an active incident, as the indexes need it (start-up).
public struct IndexedAlert: Sendable {
    public var incidentID: Int64
    var key: FingerprintKey
    public var firing: Bool
    public var expiresAt: Date?

    public init(incidentID: Int64, fingerprint: String, firing: Bool, expiresAt: Date?) {
        self.incidentID = incidentID
        key = FingerprintKey(fingerprint)
        self.firing = firing
        self.expiresAt = expiresAt
    }

    /// The fingerprint as UTF-8 bytes (a database row's): no string is made
    /// for a computed fingerprint, a million times at start-up.
    public init(incidentID: Int64, fingerprintUTF8: UnsafeBufferPointer<UInt8>, firing: Bool, expiresAt: Date?) {
        self.incidentID = incidentID
        key = FingerprintKey(utf8: fingerprintUTF8)
        self.firing = firing
        self.expiresAt = expiresAt
    }

    public var fingerprint: String { key.text }
}

/// An active incident as start-up indexes it (`IncidentEngine.indexLetGo`):
/// its id, severity, group and next due time, without the incident. Made
/// by the thread that reads the rows, so the thread that indexes only
/// files it.
public struct IndexedIncident: Sendable {
    public var id: Int64
    public var severity: Severity
    var group: ActiveIndex.Group
    var attentionAt: Date?

    /// `groupKey` is the stored group key's UTF-8 (`Incident.groupKey`): no
    /// string is made for a fingerprint group. `paging` decides when the
    /// incident next needs attention (`IncidentEngine.nextAttention`).
    public init(
        id: Int64, severity: Severity, state: IncidentState, groupKey: UnsafeBufferPointer<UInt8>,
        escalation: EscalationState?, paging: PagingPolicy
    ) {
        self.id = id
        self.severity = severity
        group = ActiveIndex.Group(groupKey: groupKey)
        attentionAt = IncidentEngine.nextAttention(state: state, escalation: escalation, paging: paging)
    }
}

/// Where the engine reads back an incident it let go of to save memory:
/// the store. Called on the engine's thread once everything the engine
/// handed over (`takeChanges`) is committed, so it gives back what the
/// engine last held.
public protocol IncidentSource: Sendable {
    /// Incident `id` as the engine holds it (its alerts, no texts); nil when there is none.
    func engineIncident(_ id: Int64) throws -> Incident?
    /// Every active incident as start-up indexes it, its next due time
    /// under `paging`.
    func forEachIndexedIncident(paging: PagingPolicy, _ body: (IndexedIncident) throws -> Void) throws
    /// Several incidents as `engineIncident` gives them, in one go; those
    /// that do not exist are left out.
    func engineIncidents(_ ids: [Int64]) throws -> [Incident]
}

/// Which incidents the engine holds in memory.
///
/// An open incident that nothing touches costs memory for nothing: the
/// store has all of it. With a `source`, once more than `residentLimit`
/// incidents are held, those unchanged since the last time this happened
/// are let go of; the engine keeps only their index entries (which alert
/// and group belong to which incident), their count by severity and their
/// next due time. An alert, a due escalation step or a command that needs
/// one reads it back (`holds`). Auto-resolved incidents that may still
/// reopen are let go of the same way; the engine keeps their group (to end
/// their `reopen_within` without reading them back), and an alert that
/// fires again within it reads its incident back to reopen it.
extension IncidentEngine {
    /// The engine after a restart, before it knows the active incidents:
    /// `held` are the auto-resolved ones that may still reopen (with their
    /// alerts). The active ones are then indexed without being held
    /// (`indexLetGo`), in any order, and `source` gives each back when
    /// needed: start-up with a million open incidents builds only indexes.
    public init(
        settings: IncidentSettings, paging: PagingPolicy, held: IncidentTable, nextID: Int64, nextPageID: Int64,
        source: any IncidentSource
    ) {
        self.init(settings: settings, incidentsByID: held, nextID: nextID, paging: paging, nextPageID: nextPageID)
        self.source = source
    }

    /// Room in the indexes for `count` active incidents and their alerts.
    public mutating func reserveLetGo(_ count: Int) {
        active.reserveCapacity(count)
        attention.reserveCapacity(count)
    }

    /// Indexes active incidents (not their alerts) that the engine does not hold.
    public mutating func indexLetGo(_ incidents: [IndexedIncident]) {
        // Counted here, added once: a million `activeCounts` updates would
        // each hash a severity.
        var counts = [Int](repeating: 0, count: Severity.allCases.count)
        for incident in incidents where !self.incidents.contains(incident.id) {
            nextID = max(nextID, incident.id + 1)
            counts[incident.severity.rawValue - 1] += 1
            active.setGroup(incident.group, incident.id)
            attention.set(incident.id, at: incident.attentionAt)
            hasLetGo = true
        }
        for severity in Severity.allCases where counts[severity.rawValue - 1] > 0 {
            activeCounts[severity, default: 0] += counts[severity.rawValue - 1]
        }
    }

    /// Indexes the alerts of active incidents the engine does not hold.
    public mutating func indexLetGo(_ alerts: [IndexedAlert]) {
        for alert in alerts { index(alert) }
    }

    /// Incident `id`, read back from the source if the engine let go of it.
    /// One the engine does not know (an old, resolved one) is not taken in:
    /// `adopt` does that.
    public mutating func resident(_ id: Int64) -> Incident? {
        holds(id) ? incidents[id] : nil
    }

    /// Whether incident `id` is in memory, once read back if it was let go.
    mutating func holds(_ id: Int64) -> Bool {
        if incidents.contains(id) { return true }
        guard let source else { return false }
        do {
            guard let incident = try source.engineIncident(id), isIndexed(incident) else { return false }
            incidents[id] = incident
            reopenableLetGo.removeValue(forKey: id)
            return true
        } catch {
            sourceError = error
            return false
        }
    }

    /// Reads back at once the incidents let go of that hold these alerts
    /// (a batch's): one read for the batch instead of one per alert, as
    /// when a storm's alerts all resolve. Nothing to do, and nothing read,
    /// until some incident was let go of.
    public mutating func readBack(holding fingerprints: some Sequence<String>) {
        guard let source, hasLetGo else { return }
        var ids: Set<Int64> = []
        for fingerprint in fingerprints {
            if let id = active[holding: fingerprint], !incidents.contains(id) { ids.insert(id) }
            // An alert firing again within reopen_within reopens its incident.
            if let id = reopenableByGroup[IncidentGroup(byFingerprint: true, value: fingerprint)], !incidents.contains(id) {
                ids.insert(id)
            }
        }
        guard !ids.isEmpty else { return }
        do {
            for incident in try source.engineIncidents(Array(ids)) where !incidents.contains(incident.id) && isIndexed(incident) {
                incidents[incident.id] = incident
                reopenableLetGo.removeValue(forKey: incident.id)
            }
        } catch {
            sourceError = error
        }
    }

    /// Whether the indexes know `incident`: active, or auto-resolved and still able to reopen.
    func isIndexed(_ incident: borrowing Incident) -> Bool {
        let group = incident.groupIdentity
        return incident.state.isActive ? active[group] == incident.id : reopenableByGroup[group] == incident.id
    }

    /// Lets go of the active incidents unchanged since the last time, once
    /// more than `residentLimit` are held. Those in `changes` stay: they are
    /// not committed yet, so the source could not give them back.
    public mutating func letGoOfQuietIncidents(keeping changes: ChangeSet = ChangeSet()) {
        guard source != nil else { return }
        changes.incidents.forEachInPlace { recentlyChanged.insert($0.id) }
        for counted in changes.counts { recentlyChanged.insert(counted.id) }
        guard incidents.count > residentLimit || recentlyChanged.count > 2 * residentLimit else { return }
        var quiet: [Int64] = []
        var reopenable: [(Int64, IncidentGroup)] = []
        if incidents.count > residentLimit {
            incidents.forEachInPlace { incident in
                guard !recentlyChanged.contains(incident.id) else { return }
                if incident.state.isActive {
                    quiet.append(incident.id)
                } else if reopenableByGroup[incident.groupIdentity] == incident.id {
                    reopenable.append((incident.id, incident.groupIdentity))
                }
            }
        }
        for id in quiet { incidents.removeValue(forKey: id) }
        for (id, group) in reopenable {
            incidents.removeValue(forKey: id)
            reopenableLetGo[id] = group
        }
        if !quiet.isEmpty || !reopenable.isEmpty { hasLetGo = true }
        recentlyChanged = Set(changes.incidents.map(\.id) + changes.counts.map(\.id))
    }

    /// After a change of paging policy: the next due time of each incident
    /// let go of, from its stored escalation state.
    mutating func rescheduleLetGo() {
        guard let source else { return }
        var held = 0
        incidents.forEachInPlace { if $0.state.isActive { held += 1 } }
        guard held < activeCounts.values.reduce(0, +) else { return }
        do {
            try source.forEachIndexedIncident(paging: paging) { incident in
                guard !incidents.contains(incident.id) else { return }
                attention.set(incident.id, at: incident.attentionAt)
            }
        } catch {
            sourceError = error
        }
    }
}
