import AlertCore
import Foundation
import GRDB

// Reading rows back: the columns each reader selects (by position), the
// joins that take the counts kept apart (v8, v9), and rows mapped to values.
extension SQLiteIncidentStore {
    /// The columns `incident(from:)` reads, by position (looking columns up
    /// by name cost more than the rest of reading a row, and start-up reads
    /// every active incident), from `incidentsWithCounts`.
    static let incidentColumns = """
        id, title, severity, state, group_key, rule, opened_at, acknowledged_at, acknowledged_by, mitigated_at,
        resolved_at, resolved_by, auto_resolved, \(countColumns), roles, maintenance, flapping, escalation,
        postmortem_due_at
        """

    /// `incidents` with the counts kept apart (v8) where there are any:
    /// what `incidentColumns` and `engineIncidentColumns` are read from.
    static let incidentsWithCounts = "incidents LEFT JOIN incident_counts ON counted_id = id"

    /// An incident's occurrences and last-seen time: its counts apart when
    /// it has them, else its row's.
    private static let countColumns =
        "COALESCE(counted_occurrences, occurrences), COALESCE(counted_last_seen, last_seen)"

    /// `incidentColumns` with blanks for the texts the engine does not hold
    /// (title, rule; `IncidentEngine.forgetWrittenTexts`): start-up reads
    /// every active incident, and the engine it builds matches one that has
    /// run. Same positions, so `incident(from:)` reads both.
    static let engineIncidentColumns = """
        id, '', severity, state, group_key, NULL, opened_at, acknowledged_at, acknowledged_by, mitigated_at,
        resolved_at, resolved_by, auto_resolved, \(countColumns), roles, maintenance, flapping, escalation,
        postmortem_due_at
        """

    static func incident(from row: Row) throws -> Incident {
        Incident(
            id: row[0], title: row[1], severity: Severity(rawValue: row[2]) ?? .sev3,
            state: IncidentState(rawValue: row[3]) ?? .open, groupKey: row[4], rule: row[5],
            openedAt: Millis.date(row[6]), acknowledgedAt: Millis.optionalDate(row[7]),
            acknowledgedBy: row[8], mitigatedAt: Millis.optionalDate(row[9]),
            resolvedAt: Millis.optionalDate(row[10]), resolvedBy: row[11],
            autoResolved: row[12], occurrences: row[13],
            lastSeen: Millis.date(row[14]), roles: JSONText.decodeMap(row[15]),
            maintenance: row[16], flapping: row[17],
            escalation: JSONText.decodeEscalation(row[18]),
            postmortemDueAt: Millis.optionalDate(row[19]))
    }

    static func page(from row: Row) -> OutboxPage {
        OutboxPage(
            id: row["id"], incidentID: row["incident_id"], receiver: row["receiver"], channel: row["channel"],
            kind: PageKind(rawValue: row["kind"]) ?? .declared, step: row["step"],
            statusUpdate: JSONText.decodeValue(StatusUpdate.self, row["status_update"]),
            createdAt: Millis.date(row["created_at"]), notBefore: Millis.date(row["not_before"]),
            firstAttemptAt: Millis.optionalDate(row["first_attempt_at"]), nextAttemptAt: Millis.date(row["next_attempt_at"]),
            attempts: row["attempts"], state: OutboxPage.State(rawValue: row["state"]) ?? .pending,
            lastError: row["last_error"])
    }

    /// The columns `alert(from:)` reads, by position, from `alertsWithCounts`.
    static let alertColumns = """
        incident_id, fingerprint, check_name, host, source, summary, status, severity, labels, first_seen,
        \(alertCountColumns)
        """

    /// `alertColumns` without summary, source and labels (see `engineIncidentColumns`).
    static let engineAlertColumns = """
        incident_id, fingerprint, check_name, host, NULL, NULL, status, severity, NULL, first_seen,
        \(alertCountColumns)
        """

    /// `incident_alerts` with the counts kept apart (v9) where there are
    /// any: what `alertColumns` and `engineAlertColumns` are read from.
    static let alertsWithCounts = """
        incident_alerts LEFT JOIN alert_counts ON repeated_incident = incident_id AND repeated_fingerprint = fingerprint
        """

    /// An alert's last-seen time, count and expiry: its counts apart when
    /// it has them, else its row's (from `alertsWithCounts`, wherever a
    /// query reads one of them).
    static let alertLastSeen = "COALESCE(repeated_last_seen, last_seen)"
    static let alertExpiresAt = "IIF(repeated_count IS NULL, expires_at, repeated_expires_at)"
    private static let alertCountColumns = "\(alertLastSeen), COALESCE(repeated_count, count), \(alertExpiresAt)"

    static func alert(from row: Row) -> IncidentAlert {
        IncidentAlert(
            incidentID: row[0], fingerprint: row[1], check: row[2], host: row[3], source: row[4], summary: row[5],
            status: AlertStatus(rawValue: row[6]) ?? .firing, severity: Severity(rawValue: row[7]) ?? .sev3,
            labels: JSONText.decodeMap(row[8]), firstSeen: Millis.date(row[9]), lastSeen: Millis.date(row[10]),
            count: row[11], expiresAt: (row[12] as Int64?).map(Millis.date))
    }

    static func alerts(of id: Int64, in db: Database) throws -> IncidentAlerts {
        var alerts = IncidentAlerts()
        let cursor = try Row.fetchCursor(db, sql: "SELECT \(alertColumns) FROM \(alertsWithCounts) WHERE incident_id = ?", arguments: [id])
        while let row = try cursor.next() {
            let alert = Self.alert(from: row)
            alerts[alert.fingerprint] = alert
        }
        return alerts
    }
}

/// Times are stored as integer milliseconds since the Unix epoch (UTC).
enum Millis {
    static func from(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func optionalDate(_ millis: Int64?) -> Date? { millis.map(date) }
}
