import AlertCore
import Foundation
import GRDB

// The batch writer (reading back: `SQLiteIncidentStore+Columns.swift`). Statements are cached and
// bound positionally: this is the hot path of every commit.
//
// What is written once stays: an incident's title, group key, rule and
// opening time, an alert's identity and labels (they are part of its
// fingerprint), and its last known summary. The engine forgets those texts
// once written (`IncidentEngine.forgetWrittenTexts`), so later upserts
// carry blanks there, which must not overwrite them.
extension SQLiteIncidentStore {
    static func write(_ prepared: PreparedChanges, in db: Database) throws {
        let changes = prepared.changes
        let incidentStatement = try db.cachedStatement(
            sql: """
                INSERT INTO incidents (id, title, severity, state, group_key, rule, opened_at, acknowledged_at,
                  acknowledged_by, mitigated_at, resolved_at, resolved_by, auto_resolved, occurrences, last_seen,
                  roles, maintenance, flapping, escalation, postmortem_due_at)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET severity=excluded.severity, state=excluded.state,
                  acknowledged_at=excluded.acknowledged_at, acknowledged_by=excluded.acknowledged_by,
                  mitigated_at=excluded.mitigated_at, resolved_at=excluded.resolved_at,
                  resolved_by=excluded.resolved_by, auto_resolved=excluded.auto_resolved,
                  occurrences=excluded.occurrences, last_seen=excluded.last_seen, roles=excluded.roles,
                  maintenance=excluded.maintenance, flapping=excluded.flapping, escalation=excluded.escalation,
                  postmortem_due_at=excluded.postmortem_due_at
                """)
        let incidentUpdate = try db.cachedStatement(
            sql: """
                UPDATE incidents SET severity=?, state=?, acknowledged_at=?, acknowledged_by=?, mitigated_at=?,
                  resolved_at=?, resolved_by=?, auto_resolved=?, occurrences=?, last_seen=?, roles=?, maintenance=?,
                  flapping=?, escalation=?, postmortem_due_at=?
                WHERE id=?
                """)
        var row = RowBinder(incidentStatement, in: db)
        var update = RowBinder(incidentUpdate, in: db)
        // The incident is written whole: its counts apart (see v8) are stale.
        var uncount = RowBinder(try db.cachedStatement(sql: "DELETE FROM incident_counts WHERE counted_id=?"), in: db)
        var position = 0
        try changes.incidents.forEachInPlace { incident in
            let (roles, escalation) = (prepared.roles[position], prepared.escalations[position])
            position += 1
            // One that has seen a repeat is usually stored already: a plain
            // UPDATE costs SQLite less than the upsert's failed INSERT
            // (the commit path of a repeat ~15% less in the microbench).
            // Should it not be stored yet, the upsert below writes it.
            if incident.occurrences > 1 {
                update.bind(incident.severity.rawValue)
                update.bind(incident.state.rawValue)
                bindChangeable(incident, roles: roles, escalation: escalation, to: &update)
                update.bind(incident.id)
                if try update.runChangingRows() {
                    uncount.bind(incident.id)
                    try uncount.run()
                    return
                }
            }
            row.bind(incident.id)
            row.bind(incident.title)
            row.bind(incident.severity.rawValue)
            row.bind(incident.state.rawValue)
            row.bind(incident.groupKey)
            row.bind(incident.rule)
            row.bind(Millis.from(incident.openedAt))
            bindChangeable(incident, roles: roles, escalation: escalation, to: &row)
            try row.run()
        }
        // Most incidents of a batch only counted repeats: their counts go
        // to `incident_counts` (v8), a narrow row, not into the incident's
        // wide one. Counts come only for an incident written before (the
        // engine saw it), so an incident that is not there (the row's
        // foreign key says so) means memory ran ahead of the store: an
        // error, after which the pipeline reloads the engine from what is
        // stored. (Checked by `INSERT … SELECT … FROM incidents` instead,
        // a repeat's commit cost ~1.5 µs more than it saved.)
        let countsStatement = try db.cachedStatement(
            sql: """
                INSERT INTO incident_counts (counted_id, counted_occurrences, counted_last_seen) VALUES (?,?,?)
                ON CONFLICT(counted_id) DO UPDATE SET counted_occurrences=excluded.counted_occurrences,
                  counted_last_seen=excluded.counted_last_seen
                """)
        update = RowBinder(countsStatement, in: db)
        for counts in changes.counts {
            update.bind(counts.id)
            update.bind(counts.occurrences)
            update.bind(Millis.from(counts.lastSeen))
            do {
                try update.run()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.missingIncident(counts.id)
            }
        }
        // An alert's fate rides on its row (`fate_*`, see `fate(of:heldBy:)`);
        // a row written without one keeps the one it has.
        let alertStatement = try db.cachedStatement(
            sql: """
                INSERT INTO incident_alerts (incident_id, fingerprint, check_name, host, source, summary, status,
                  severity, labels, first_seen, last_seen, count, expires_at,
                  fate_at, fate_rule, fate_severity, fate_decision, fate_reasons)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(incident_id, fingerprint) DO UPDATE SET summary=COALESCE(excluded.summary, summary),
                  status=excluded.status, severity=excluded.severity,
                  last_seen=excluded.last_seen, count=excluded.count, expires_at=excluded.expires_at,
                  fate_rule=IIF(excluded.fate_at IS NULL, fate_rule, excluded.fate_rule),
                  fate_severity=COALESCE(excluded.fate_severity, fate_severity),
                  fate_decision=COALESCE(excluded.fate_decision, fate_decision),
                  fate_reasons=COALESCE(excluded.fate_reasons, fate_reasons),
                  fate_at=COALESCE(excluded.fate_at, fate_at)
                """)
        let alertUpdate = try db.cachedStatement(
            sql: """
                UPDATE incident_alerts SET summary=COALESCE(?, summary), status=?, severity=?, last_seen=?, count=?,
                  expires_at=?
                WHERE incident_id=? AND fingerprint=?
                """)
        let alertFateUpdate = try db.cachedStatement(
            sql: """
                UPDATE incident_alerts SET summary=COALESCE(?, summary), status=?, severity=?, last_seen=?, count=?,
                  expires_at=?, fate_at=?, fate_rule=?, fate_severity=?, fate_decision=?, fate_reasons=?
                WHERE incident_id=? AND fingerprint=?
                """)
        row = RowBinder(alertStatement, in: db)
        update = RowBinder(alertUpdate, in: db)
        var fateUpdate = RowBinder(alertFateUpdate, in: db)
        // The alert is written whole: its counts apart (see v9) are stale.
        uncount = RowBinder(
            try db.cachedStatement(sql: "DELETE FROM alert_counts WHERE repeated_incident=? AND repeated_fingerprint=?"),
            in: db)
        position = 0
        try changes.alerts.forEachInPlace { alert in
            let labels = prepared.labels[position]
            let fate = prepared.alertFates[position]
            position += 1
            if alert.count > 1 {  // a repeat: as above
                let updated =
                    if let fate {
                        try updateRepeat(alert, fate: fate, of: prepared, with: &fateUpdate)
                    } else {
                        try updateRepeat(alert, fate: nil, of: prepared, with: &update)
                    }
                if updated {
                    uncount.bind(alert.incidentID)
                    uncount.bind(alert.fingerprint)
                    try uncount.run()
                    return
                }
            }
            row.bind(alert.incidentID)
            row.bind(alert.fingerprint)
            row.bind(alert.check)
            row.bind(alert.host)
            row.bind(alert.source)
            row.bind(alert.summary)
            row.bind(alert.status.rawValue)
            row.bind(alert.severity.rawValue)
            row.bind(labels ?? JSONText.encode(alert.labels))
            row.bind(Millis.from(alert.firstSeen))
            row.bind(Millis.from(alert.lastSeen))
            row.bind(alert.count)
            row.bind(alert.expiresAt.map(Millis.from))
            if let fate {
                bindFate(fate, of: prepared, to: &row)
            } else {
                for _ in 0..<5 { row.bindNull() }
            }
            try row.run()
        }
        // Alerts that only repeated: their counts apart (v9), a narrow row,
        // and the summary the repeat carried on the wide row only when it
        // differs from the one there (an UPDATE that matches no row writes
        // nothing). An alert that is not stored: as with incidents' counts.
        let alertCountsStatement = try db.cachedStatement(
            sql: """
                INSERT INTO alert_counts (repeated_incident, repeated_fingerprint, repeated_count, repeated_last_seen,
                  repeated_expires_at)
                VALUES (?,?,?,?,?)
                ON CONFLICT(repeated_incident, repeated_fingerprint) DO UPDATE SET repeated_count=excluded.repeated_count,
                  repeated_last_seen=excluded.repeated_last_seen, repeated_expires_at=excluded.repeated_expires_at
                """)
        row = RowBinder(alertCountsStatement, in: db)
        let summaryStatement = try db.cachedStatement(
            sql: "UPDATE incident_alerts SET summary=? WHERE incident_id=? AND fingerprint=? AND summary IS NOT ?")
        update = RowBinder(summaryStatement, in: db)
        try changes.alertCounts.forEachInPlace { alert in
            row.bind(alert.incidentID)
            row.bind(alert.fingerprint)
            row.bind(alert.count)
            row.bind(Millis.from(alert.lastSeen))
            row.bind(alert.expiresAt.map(Millis.from))
            do {
                try row.run()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError.missingAlert(incident: alert.incidentID, fingerprint: alert.fingerprint)
            }
            guard let summary = alert.summary else { return }
            update.bind(summary)
            update.bind(alert.incidentID)
            update.bind(alert.fingerprint)
            update.bind(summary)
            try update.run()
        }
        // A fate whose alert's row this batch does not write (usually none).
        // Should that row not be there, the fate goes to `fates`.
        let fateOnRow = try db.cachedStatement(
            sql: """
                UPDATE incident_alerts SET fate_at=?, fate_rule=?, fate_severity=?, fate_decision=?, fate_reasons=?
                WHERE incident_id=? AND fingerprint=?
                """)
        update = RowBinder(fateOnRow, in: db)
        var rowless: [Int] = []
        for position in prepared.fatesOnStoredRows {
            let fate = changes.fates[position]
            bindFate(position, of: prepared, to: &update)
            update.bind(fate.incidentID)
            update.bind(fate.fingerprint)
            if try !update.runChangingRows() { rowless.append(position) }
        }
        let timelineStatement = try db.cachedStatement(
            sql: "INSERT INTO timeline (incident_id, at, kind, detail) VALUES (?,?,?,?)")
        row = RowBinder(timelineStatement, in: db)
        for entry in changes.timeline {
            row.bind(entry.incidentID)
            row.bind(Millis.from(entry.at))
            row.bind(entry.kind.rawValue)
            row.bind(entry.detail)
            try row.run()
        }
        let pageStatement = try db.cachedStatement(
            sql: """
                INSERT INTO outbox (id, incident_id, receiver, channel, kind, step, status_update, created_at,
                  not_before, first_attempt_at, next_attempt_at, attempts, state, last_error)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET first_attempt_at=excluded.first_attempt_at,
                  next_attempt_at=excluded.next_attempt_at, attempts=excluded.attempts, state=excluded.state,
                  last_error=excluded.last_error
                """)
        row = RowBinder(pageStatement, in: db)
        for page in changes.pages {
            row.bind(page.id)
            row.bind(page.incidentID)
            row.bind(page.receiver)
            row.bind(page.channel)
            row.bind(page.kind.rawValue)
            row.bind(page.step)
            row.bind(page.statusUpdate.map(JSONText.encodeValue))
            row.bind(Millis.from(page.createdAt))
            row.bind(Millis.from(page.notBefore))
            row.bind(page.firstAttemptAt.map(Millis.from))
            row.bind(Millis.from(page.nextAttemptAt))
            row.bind(page.attempts)
            row.bind(page.state.rawValue)
            row.bind(page.lastError)
            try row.run()
        }
        // An incident that resolved leaves the engine's index, through
        // which `fate(of:heldBy:)` finds its alerts' rows: their fates go
        // to `fates`, unless one there is newer.
        let fatesOfResolved = try db.cachedStatement(
            sql: """
                INSERT INTO fates (fingerprint, at, rule, severity, incident_id, decision, reasons)
                SELECT fingerprint, fate_at, fate_rule, fate_severity, incident_id, fate_decision, fate_reasons
                FROM incident_alerts WHERE incident_id = ? AND fate_at IS NOT NULL
                ON CONFLICT(fingerprint) DO UPDATE SET at=excluded.at, rule=excluded.rule, severity=excluded.severity,
                  incident_id=excluded.incident_id, decision=excluded.decision, reasons=excluded.reasons
                WHERE excluded.at >= fates.at
                """)
        update = RowBinder(fatesOfResolved, in: db)
        try changes.incidents.forEachInPlace { incident in
            guard incident.state == .resolved else { return }
            update.bind(incident.id)
            try update.run()
        }
        let fateStatement = try db.cachedStatement(
            sql: """
                INSERT INTO fates (fingerprint, at, rule, severity, incident_id, decision, reasons)
                VALUES (?,?,?,?,?,?,?)
                ON CONFLICT(fingerprint) DO UPDATE SET at=excluded.at, rule=excluded.rule, severity=excluded.severity,
                  incident_id=excluded.incident_id, decision=excluded.decision, reasons=excluded.reasons
                """)
        row = RowBinder(fateStatement, in: db)
        func writeToFates(_ position: Int) throws {
            let fate = changes.fates[position]
            row.bind(fate.fingerprint)
            row.bind(Millis.from(fate.at))
            row.bind(fate.rule)
            row.bind(fate.severity.rawValue)
            row.bind(fate.incidentID)
            row.bind(fate.decision.rawValue)
            row.bind(prepared.reasons[position])
            try row.run()
        }
        for position in changes.fates.indices where changes.fates[position].incidentID == nil { try writeToFates(position) }
        for position in rowless { try writeToFates(position) }
    }

    /// Updates a stored alert's row after repeats, with its fate if the
    /// batch has one (`update` is then the statement that sets it); false
    /// when the row is not there.
    private static func updateRepeat(
        _ alert: borrowing IncidentAlert, fate: Int?, of prepared: PreparedChanges, with update: inout RowBinder
    ) throws -> Bool {
        update.bind(alert.summary)
        update.bind(alert.status.rawValue)
        update.bind(alert.severity.rawValue)
        update.bind(Millis.from(alert.lastSeen))
        update.bind(alert.count)
        update.bind(alert.expiresAt.map(Millis.from))
        if let fate { bindFate(fate, of: prepared, to: &update) }
        update.bind(alert.incidentID)
        update.bind(alert.fingerprint)
        return try update.runChangingRows()
    }

    /// A fate's columns on its alert's row, from `fate_at` to `fate_reasons`.
    private static func bindFate(_ position: Int, of prepared: PreparedChanges, to row: inout RowBinder) {
        let fate = prepared.changes.fates[position]
        row.bind(Millis.from(fate.at))
        row.bind(fate.rule)
        row.bind(fate.severity.rawValue)
        row.bind(fate.decision.rawValue)
        row.bind(prepared.reasons[position])
    }

    /// An incident's columns that change after it is opened, from
    /// `acknowledged_at` to `postmortem_due_at`, in the order both the
    /// UPDATE and the upsert list them; `roles` and `escalation` encoded.
    private static func bindChangeable(
        _ incident: borrowing Incident, roles: String, escalation: String?, to row: inout RowBinder
    ) {
        row.bind(incident.acknowledgedAt.map(Millis.from))
        row.bind(incident.acknowledgedBy)
        row.bind(incident.mitigatedAt.map(Millis.from))
        row.bind(incident.resolvedAt.map(Millis.from))
        row.bind(incident.resolvedBy)
        row.bind(incident.autoResolved)
        row.bind(incident.occurrences)
        row.bind(Millis.from(incident.lastSeen))
        row.bind(roles)
        row.bind(incident.maintenance)
        row.bind(incident.flapping)
        row.bind(escalation)
        row.bind(incident.postmortemDueAt.map(Millis.from))
    }
}
