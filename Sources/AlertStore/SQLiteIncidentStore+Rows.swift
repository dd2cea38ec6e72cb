import AlertCore
import Foundation
import GRDB

// Row <-> value mapping and the batch writer. Statements are cached and
// bound positionally: this is the hot path of every commit.
extension SQLiteIncidentStore {
    static func write(_ changes: ChangeSet, in db: Database) throws {
        let incidentStatement = try db.cachedStatement(
            sql: """
                INSERT INTO incidents (id, title, severity, state, group_key, rule, opened_at, acknowledged_at,
                  acknowledged_by, mitigated_at, resolved_at, resolved_by, auto_resolved, occurrences, last_seen,
                  roles, maintenance, flapping)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(id) DO UPDATE SET title=excluded.title, severity=excluded.severity,
                  state=excluded.state, group_key=excluded.group_key, rule=excluded.rule,
                  acknowledged_at=excluded.acknowledged_at, acknowledged_by=excluded.acknowledged_by,
                  mitigated_at=excluded.mitigated_at, resolved_at=excluded.resolved_at,
                  resolved_by=excluded.resolved_by, auto_resolved=excluded.auto_resolved,
                  occurrences=excluded.occurrences, last_seen=excluded.last_seen, roles=excluded.roles,
                  maintenance=excluded.maintenance, flapping=excluded.flapping
                """)
        for incident in changes.incidents {
            try incidentStatement.execute(arguments: [
                incident.id, incident.title, incident.severity.rawValue, incident.state.rawValue, incident.groupKey,
                incident.rule, Millis.from(incident.openedAt), incident.acknowledgedAt.map(Millis.from),
                incident.acknowledgedBy, incident.mitigatedAt.map(Millis.from), incident.resolvedAt.map(Millis.from),
                incident.resolvedBy, incident.autoResolved, incident.occurrences, Millis.from(incident.lastSeen),
                JSONText.encode(incident.roles), incident.maintenance, incident.flapping,
            ])
        }
        let alertStatement = try db.cachedStatement(
            sql: """
                INSERT INTO incident_alerts (incident_id, fingerprint, check_name, host, source, summary, status,
                  severity, labels, first_seen, last_seen, count)
                VALUES (?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(incident_id, fingerprint) DO UPDATE SET summary=excluded.summary,
                  status=excluded.status, severity=excluded.severity, labels=excluded.labels,
                  last_seen=excluded.last_seen, count=excluded.count
                """)
        for alert in changes.alerts {
            try alertStatement.execute(arguments: [
                alert.incidentID, alert.fingerprint, alert.check, alert.host, alert.source, alert.summary,
                alert.status.rawValue, alert.severity.rawValue, JSONText.encode(alert.labels),
                Millis.from(alert.firstSeen), Millis.from(alert.lastSeen), alert.count,
            ])
        }
        let timelineStatement = try db.cachedStatement(
            sql: "INSERT INTO timeline (incident_id, at, kind, detail) VALUES (?,?,?,?)")
        for entry in changes.timeline {
            try timelineStatement.execute(arguments: [
                entry.incidentID, Millis.from(entry.at), entry.kind.rawValue, entry.detail,
            ])
        }
        let fateStatement = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO fates (fingerprint, at, rule, severity, incident_id, decision, reasons)
                VALUES (?,?,?,?,?,?,?)
                """)
        for fate in changes.fates {
            try fateStatement.execute(arguments: [
                fate.fingerprint, Millis.from(fate.at), fate.rule, fate.severity.rawValue, fate.incidentID,
                fate.decision.rawValue, JSONText.encode(fate.reasons),
            ])
        }
    }

    static func incident(from row: Row) throws -> Incident {
        Incident(
            id: row["id"], title: row["title"], severity: Severity(rawValue: row["severity"]) ?? .sev3,
            state: IncidentState(rawValue: row["state"]) ?? .open, groupKey: row["group_key"], rule: row["rule"],
            openedAt: Millis.date(row["opened_at"]), acknowledgedAt: Millis.optionalDate(row["acknowledged_at"]),
            acknowledgedBy: row["acknowledged_by"], mitigatedAt: Millis.optionalDate(row["mitigated_at"]),
            resolvedAt: Millis.optionalDate(row["resolved_at"]), resolvedBy: row["resolved_by"],
            autoResolved: row["auto_resolved"], occurrences: row["occurrences"],
            lastSeen: Millis.date(row["last_seen"]), roles: JSONText.decodeMap(row["roles"]),
            maintenance: row["maintenance"], flapping: row["flapping"])
    }

    static func alert(from row: Row) -> IncidentAlert {
        IncidentAlert(
            incidentID: row["incident_id"], fingerprint: row["fingerprint"], check: row["check_name"],
            host: row["host"], source: row["source"], summary: row["summary"],
            status: AlertStatus(rawValue: row["status"]) ?? .firing,
            severity: Severity(rawValue: row["severity"]) ?? .sev3, labels: JSONText.decodeMap(row["labels"]),
            firstSeen: Millis.date(row["first_seen"]), lastSeen: Millis.date(row["last_seen"]), count: row["count"])
    }

    static func alerts(of id: Int64, in db: Database) throws -> [String: IncidentAlert] {
        var alerts: [String: IncidentAlert] = [:]
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM incident_alerts WHERE incident_id = ?", arguments: [id])
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

/// Small JSON columns (labels, roles, reasons), keys sorted so equal values
/// store equal text.
enum JSONText {
    static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        return string(map)
    }

    static func encode(_ list: [String]) -> String { string(list) }

    static func decodeMap(_ text: String?) -> [String: String] {
        guard let data = text?.data(using: .utf8) else { return [:] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: String] ?? [:]
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let data = text?.data(using: .utf8) else { return [] }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String] ?? []
    }

    private static func string(_ value: Any) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])) ?? Data("null".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
