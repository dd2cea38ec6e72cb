import AlertCore
import Foundation
import GRDB

/// The single-node store: one SQLite file in WAL mode.
///
/// Durability: `synchronous = FULL`, so a commit is on disk (fsync'd WAL)
/// before `apply` returns; the pipeline acknowledges senders only after that.
/// Batching many alerts into one `apply` is what keeps this fast.
public final class SQLiteIncidentStore: IncidentStore {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating if needed) the database at `path` and migrates it.
    public init(path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.label = "alertd"
        configuration.busyMode = .timeout(10)
        pool = try DatabasePool(path: path, configuration: configuration)
        // GRDB sets the writer to synchronous=NORMAL when it enables WAL
        // (after any prepareDatabase hook), which does not fsync on commit.
        // An acknowledgement promises the data is on disk, so set FULL on
        // the writer connection itself.
        try pool.barrierWriteWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // The writer's page cache: 64 MiB (SQLite's default is 2 MiB)
            // keeps the indexes of a large store in memory, so a batch of
            // new incidents does not read pages back from the file.
            try db.execute(sql: "PRAGMA cache_size = -65536")
        }
        try Self.migrator.migrate(pool)
    }

    public func apply(_ changes: ChangeSet) throws {
        guard !changes.isEmpty else { return }
        try pool.write { db in
            try Self.write(changes, in: db)
        }
    }

    public func loadEngineState(resolvedSince: Date) throws -> EngineState {
        try pool.read { db in
            let filter = "state != 'resolved' OR (auto_resolved = 1 AND resolved_at >= :since)"
            let since: StatementArguments = ["since": Millis.from(resolvedSince)]
            var incidents = IncidentTable(
                minimumCapacity: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incidents WHERE \(filter)", arguments: since) ?? 0)
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.engineIncidentColumns) FROM incidents WHERE \(filter)", arguments: since)
            while let row = try rows.next() {
                let incident = try Self.incident(from: row)
                incidents[incident.id] = incident
            }
            let alertRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT \(Self.engineAlertColumns) FROM incident_alerts
                    WHERE incident_id IN (SELECT id FROM incidents WHERE \(filter))
                    """,
                arguments: since)
            while let row = try alertRows.next() {
                let alert = Self.alert(from: row)
                incidents.update(alert.incidentID) { incident in
                    incident.alerts[alert.fingerprint] = alert
                    if alert.status == .firing { incident.firingCount += 1 }
                }
            }
            let maxID = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM incidents") ?? 0
            let maxPage = try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM outbox") ?? 0
            return EngineState(incidents: incidents, nextID: maxID + 1, nextPageID: maxPage + 1)
        }
    }

    public func incident(_ id: Int64) throws -> Incident? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.incidentColumns) FROM incidents WHERE id = ?", arguments: [id]) else {
                return nil
            }
            var incident = try Self.incident(from: row)
            incident.alerts = try Self.alerts(of: id, in: db)
            incident.firingCount = incident.alerts.values.filter { $0.status == .firing }.count
            return incident
        }
    }

    public func timeline(of id: Int64) throws -> [TimelineEntry] {
        try pool.read { db in
            try Row.fetchAll(
                db, sql: "SELECT at, kind, detail FROM timeline WHERE incident_id = ? ORDER BY seq", arguments: [id]
            ).map { row in
                TimelineEntry(
                    incidentID: id, at: Millis.date(row["at"]),
                    kind: TimelineKind(rawValue: row["kind"]) ?? .note, detail: row["detail"])
            }
        }
    }

    public func incidents(_ query: IncidentQuery) throws -> [IncidentSummary] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let states = query.states {
                conditions.append("state IN (\(states.map { _ in "?" }.joined(separator: ",")))")
                for state in states { _ = arguments.append(contentsOf: [state.rawValue]) }
            } else {
                conditions.append("state != 'resolved'")
            }
            if let severity = query.severity {
                conditions.append("severity = ?")
                _ = arguments.append(contentsOf: [severity.rawValue])
            }
            _ = arguments.append(contentsOf: [query.limit])
            let sql = """
                SELECT \(Self.incidentColumns),
                  (SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = i.id) AS alert_count,
                  (SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = i.id AND a.status = 'firing') AS firing_count
                FROM incidents i
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY i.id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                IncidentSummary(
                    incident: try Self.incident(from: row), alertCount: row["alert_count"],
                    firingCount: row["firing_count"])
            }
        }
    }

    public func fate(of fingerprint: String) throws -> Fate? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM fates WHERE fingerprint = ?", arguments: [fingerprint])
            else { return nil }
            return Fate(
                fingerprint: fingerprint, at: Millis.date(row["at"]), rule: row["rule"],
                severity: Severity(rawValue: row["severity"]) ?? .sev3, incidentID: row["incident_id"],
                decision: Fate.Decision(rawValue: row["decision"]) ?? .deduplicated,
                reasons: JSONText.decodeList(row["reasons"]))
        }
    }

    public func duePages(now: Date, limit: Int) throws -> [OutboxPage] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [Millis.from(now), limit]
            ).map(Self.page(from:))
        }
    }

    public func nextPageDue() throws -> Date? {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE state = 'pending'").map(Millis.date)
        }
    }

    public func pendingPageCount() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'") ?? 0 }
    }

    public func pages(of incident: Int64) throws -> [OutboxPage] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE incident_id = ? ORDER BY id", arguments: [incident])
                .map(Self.page(from:))
        }
    }

    public func counts() throws -> IncidentCounts {
        try pool.read { db in
            var counts = IncidentCounts(activeBySeverity: [:], byState: [:])
            for severity in Severity.allCases { counts.activeBySeverity[severity] = 0 }
            for state in IncidentState.allCases { counts.byState[state] = 0 }
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM incidents GROUP BY state") {
                if let state = IncidentState(rawValue: row["state"]) { counts.byState[state] = row["n"] }
            }
            for row in try Row.fetchAll(
                db, sql: "SELECT severity, COUNT(*) AS n FROM incidents WHERE state != 'resolved' GROUP BY severity")
            {
                if let severity = Severity(rawValue: row["severity"]) { counts.activeBySeverity[severity] = row["n"] }
            }
            return counts
        }
    }
}
