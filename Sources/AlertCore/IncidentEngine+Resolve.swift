import Foundation

/// Alerts resolving, by their sender or by their `endsAt` passing, and
/// incidents leaving the active set (SPEC §3: auto-resolve, and the
/// `reopen_within` that follows it).
extension IncidentEngine {
    /// Resolves the firing alerts whose `endsAt` has passed with no refresh
    /// from their sender, as if it had sent the resolve (Alertmanager does
    /// the same: an alert from a deleted rule or a dead Prometheus ends).
    mutating func expireAlerts(now: Date) {
        while let fingerprint = expiries.popDue(now) {
            guard let id = active[holding: fingerprint], holds(id), let existing = incidents[id]?.alerts[fingerprint] else { continue }
            let alert = Alert(
                check: existing.check, summary: existing.summary, host: existing.host, source: existing.source,
                status: .resolved, labels: existing.labels)
            var fate = Fate(
                fingerprint: fingerprint, at: now, rule: nil, severity: existing.severity, incidentID: id,
                decision: .resolved, reasons: ["its endsAt (\(RFC3339.format(existing.expiresAt ?? now))) passed with no refresh from the sender"])
            if let resolved = resolveAlert(
                alert, fingerprint: fingerprint, now: now, fate: &fate, because: "its endsAt passed with no refresh")
            {
                finishEscalation(resolved, now: now)
            }
            pendingFates[fingerprint] = fate
        }
    }

    /// Resolves the alert; returns the incident id when that resolved the incident.
    mutating func resolveAlert(
        _ alert: Alert, fingerprint: String, now: Date, fate: inout Fate, because reason: String? = nil
    ) -> Int64? {
        fate.decision = .resolved
        guard let id = active[holding: fingerprint], holds(id), var incident = incidents.removeValue(forKey: id) else {
            fate.reasons.append("no open incident holds this alert; nothing to resolve")
            return nil
        }
        defer { incidents[id] = incident }
        fate.incidentID = id
        guard var existing = incident.alerts[fingerprint], existing.status == .firing else {
            fate.reasons.append("already resolved on incident #\(id)")
            return nil
        }
        existing.status = .resolved
        existing.lastSeen = now
        existing.expiresAt = nil
        expiries.set(fingerprint, at: nil)
        incident.alerts[fingerprint] = existing
        incident.firingCount -= 1
        incident.lastSeen = now
        dirtyAlerts.insert(AlertKey(incident: id, fingerprint: fingerprint))
        dirtyIncidents.insert(id)
        record(id, now, .alertResolved, "\(alertLabel(alert, fingerprint)) resolved" + (reason.map { ": \($0)" } ?? ""))
        if incident.firingCount == 0 && settings.autoResolve {
            incident.state = .resolved
            incident.resolvedAt = now
            incident.autoResolved = true
            deactivate(incident)
            reopenableByGroup[incident.groupIdentity] = id
            scheduleReopenEnd(incident)
            record(id, now, .resolved, "all alerts resolved")
            fate.reasons.append("resolved the last firing alert of incident #\(id), which resolved")
            return id
        } else {
            fate.reasons.append("resolved on incident #\(id); \(incident.firingCount) alert(s) still firing")
            return nil
        }
    }

    mutating func deactivate(_ incident: Incident) {
        activeCounts[incident.severity, default: 0] -= 1
        if active[incident.groupIdentity] == incident.id { active[incident.groupIdentity] = nil }
        for fingerprint in incident.alerts.keys where active[holding: fingerprint] == incident.id {
            active[holding: fingerprint] = nil
            expiries.set(fingerprint, at: nil)
        }
    }

    mutating func changeActiveSeverity(from old: Severity, to new: Severity) {
        activeCounts[old, default: 0] -= 1
        activeCounts[new, default: 0] += 1
    }
}
