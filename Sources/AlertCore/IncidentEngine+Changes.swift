import Foundation

/// What the engine hands to the store after each batch (`takeChanges`), and
/// what it forgets once that is written: texts (written through), incidents
/// that are settled, and those past their `reopen_within`.
extension IncidentEngine {
    /// Hands over everything changed since the last call, and forgets
    /// incidents that are settled (resolved and no longer reopenable at `now`).
    public mutating func takeChanges(now: Date) -> ChangeSet {
        for id in dirtyIncidents { reschedule(id) }
        var changes = ChangeSet()
        // First, while the alerts' boxes are the engine's alone (the
        // incidents copied below share them until the commit).
        changes.fates = fatesToWrite()
        changes.incidents = dirtyIncidents.compactMap { incidents[$0] }
        changes.counts = countedIncidents.compactMap { id in
            guard !dirtyIncidents.contains(id), let incident = incidents[id] else { return nil }
            return IncidentCounts(id: id, occurrences: incident.occurrences, lastSeen: incident.lastSeen)
        }
        changes.alerts = dirtyAlerts.compactMap { incidents[$0.incident]?.alerts[$0.fingerprint] }
        changes.alertCounts = countedAlerts.compactMap { key in
            dirtyAlerts.contains(key) ? nil : incidents[key.incident]?.alerts[key.fingerprint]
        }
        changes.timeline = pendingTimeline
        changes.pages = pendingPages
        pendingPages.removeAll(keepingCapacity: true)
        dirtyIncidents.removeAll(keepingCapacity: true)
        countedIncidents.removeAll(keepingCapacity: true)
        dirtyAlerts.removeAll(keepingCapacity: true)
        countedAlerts.removeAll(keepingCapacity: true)
        pendingTimeline.removeAll(keepingCapacity: true)
        pendingFates.removeAll(keepingCapacity: true)
        forgetWrittenTexts(of: changes)
        changes.incidents.forEachInPlace { incident in
            if !incident.state.isActive { forgetIfSettled(incident.id, now: now) }
        }
        letGoOfQuietIncidents(keeping: changes)
        // Strictly after the window, as `fire` reopens at its very end.
        while let id = reopenEnds.popDue(Date(timeIntervalSinceReferenceDate: now.timeIntervalSinceReferenceDate.nextDown)) {
            guard let group = incidents[id]?.groupIdentity ?? reopenableLetGo.removeValue(forKey: id),
                reopenableByGroup[group] == id
            else { continue }
            reopenableByGroup.removeValue(forKey: group)
            forgetIfSettled(id)
        }
        return changes
    }

    /// The batch's fates that say something new. A repeat's fate says what
    /// the last one written for its alert said, but for its time, which the
    /// alert's `last_seen` holds (the store's `fate(of:heldBy:)` reads it from
    /// there): such a fate is not written again, a third of the rows a
    /// batch of repeats would write. Every fate written is noted on the
    /// alert it names (or the one its fingerprint holds): a repeat's as a
    /// digest, any other as 0 (only a repeat's can be skipped, so only a
    /// repeat's is worth hashing).
    private mutating func fatesToWrite() -> [Fate] {
        var fates: [Fate] = []
        fates.reserveCapacity(pendingFates.count)
        for fate in pendingFates.values {
            let digest = fate.decision == .deduplicated ? Self.digest(of: fate) : 0
            let said = (fate.incidentID ?? active[holding: fate.fingerprint]).flatMap { id in
                incidents.update(id) { incident in
                    incident.alerts.update(fate.fingerprint) { alert -> Bool in
                        defer { alert.writtenFate = digest }
                        return alert.writtenFate == digest
                    }
                } ?? nil
            }
            if said == true, fate.decision == .deduplicated { continue }
            fates.append(fate)
        }
        return fates
    }

    /// Everything a fate says but its time, as a number (never 0).
    static func digest(of fate: Fate) -> UInt64 {
        var hash = FNV1a64()
        hash.add(fate.decision.rawValue)
        hash.add(fate.incidentID ?? -1)
        hash.add(fate.rule ?? "\u{0}")
        hash.add(Int64(fate.severity.rawValue))
        for reason in fate.reasons { hash.add(reason) }
        return max(hash.value, 1)
    }

    mutating func scheduleReopenEnd(_ id: Int64) {
        guard let incident = incidents[id] else { return }
        scheduleReopenEnd(incident)
    }

    mutating func scheduleReopenEnd(_ incident: borrowing Incident) {
        reopenEnds.set(incident.id, at: incident.resolvedAt.map { $0.addingTimeInterval(settings.reopenWithin) })
    }

    /// Texts are written through: once handed to the store, an incident's
    /// title and rule and its alerts' summary, source and labels are dropped
    /// from memory. No decision reads them (sentences use the incoming alert;
    /// pages and `alertctl` read the store), and they are most of what an
    /// open alert would otherwise cost in memory. The store never
    /// overwrites them with the blanks left here (see
    /// `SQLiteIncidentStore.write`), and loads the engine state without them.
    private mutating func forgetWrittenTexts(of changes: ChangeSet) {
        changes.incidents.forEachInPlace { incident in
            guard !incident.title.isEmpty || incident.rule != nil else { return }
            incidents.update(incident.id) { incident in
                incident.title = ""
                incident.rule = nil
            }
        }
        func forget(_ alert: borrowing IncidentAlert) {
            guard alert.holdsTexts else { return }
            let fingerprint = alert.fingerprint
            incidents.update(alert.incidentID) { _ = $0.alerts.update(fingerprint) { $0.forgetTexts() } }
        }
        changes.alerts.forEachInPlace(forget)
        changes.alertCounts.forEachInPlace(forget)
    }

    mutating func forgetIfSettled(_ id: Int64, now: Date? = nil) {
        guard let incident = incidents[id], !incident.state.isActive, !dirtyIncidents.contains(id) else { return }
        if reopenableByGroup[incident.groupIdentity] == id, let now, let resolvedAt = incident.resolvedAt,
            now.timeIntervalSince(resolvedAt) <= settings.reopenWithin
        {
            return
        }
        if reopenableByGroup[incident.groupIdentity] == id { reopenableByGroup.removeValue(forKey: incident.groupIdentity) }
        incidents.removeValue(forKey: id)
    }
}
