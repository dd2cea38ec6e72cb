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
    private let checkpointer: WALCheckpointer

    /// The writer's own checkpoint, a backstop for `WALCheckpointer`'s:
    /// the log past this many pages (~40 MB) after a commit.
    static let writerCheckpointPages = 10_000

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
            // The writer's page cache: 16 MiB (SQLite's default is 2 MiB)
            // holds the pages a batch appends to and the ends of the
            // indexes. It was 64 MiB while each new alert's fate went to a
            // random leaf of an index (before v7): at a million open alerts
            // that was ~65 bytes each of RSS, and 16 MiB ingests as fast now.
            try db.execute(sql: "PRAGMA cache_size = -16384")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.writerCheckpointPages)")
        }
        try Self.migrator.migrate(pool)
        checkpointer = try WALCheckpointer(path: path)
        checkpointer.start()
    }

    deinit { checkpointer.stop() }

    public func apply(_ changes: PreparedChanges) throws {
        guard !changes.changes.isEmpty else { return }
        try pool.write { db in
            try Self.write(changes, in: db)
        }
        checkpointer.nudge()
    }

    /// Every incident the engine needs after a restart, whole and held:
    /// active ones and those auto-resolved at or after `resolvedSince`, with
    /// their alerts. Not what the daemon starts from (`loadEngine` holds
    /// none of them); the store's tests compare what it gives back against
    /// what an engine wrote, and `loadEngine`'s engine against one built
    /// from it. Incidents and alerts are read at once on two reader
    /// connections, then each alert is filed under its incident.
    public func loadEngineState(resolvedSince: Date) throws -> EngineState {
        let since: StatementArguments = ["since": Millis.from(resolvedSince)]
        let (incidentsRead, alertsRead) = inParallel(
            { Result { try self.pool.read { db in try Self.engineIncidents(in: db, since: since) } } },
            { Result { try self.pool.read { db in try Self.engineAlerts(in: db, since: since) } } })
        var (incidents, nextID, nextPageID) = try incidentsRead.get()
        for (id, alerts, firing) in try alertsRead.get() { Self.file(alerts, firing: firing, under: id, in: &incidents) }
        return EngineState(incidents: incidents, nextID: nextID, nextPageID: nextPageID)
    }

    private static func file(_ alerts: IncidentAlerts, firing: Int, under id: Int64, in incidents: inout IncidentTable) {
        incidents.update(id) { incident in
            if incident.alerts.isEmpty {
                incident.alerts = alerts
            } else {  // the rows of one incident came apart: no order is promised
                for (fingerprint, alert) in alerts { incident.alerts[fingerprint] = alert }
            }
            incident.firingCount += firing
            incident.shareGroupString()
        }
    }

    private static func engineIncidents(
        in db: Database, since: StatementArguments, part: EnginePart = .all
    ) throws -> (IncidentTable, nextID: Int64, nextPageID: Int64) {
        let ids = engineIncidents(selecting: "SELECT id FROM incidents", part: part)
        var incidents = IncidentTable(
            minimumCapacity: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(ids))", arguments: since) ?? 0)
        try forEachIncident(in: db, sql: engineIncidents(selecting: "SELECT \(engineIncidentColumns) FROM \(incidentsWithCounts)", part: part), since) {
            incidents[$0.id] = $0
        }
        return (incidents, try nextID(in: db), try nextPageID(in: db))
    }

    private static func nextID(in db: Database) throws -> Int64 { (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM incidents") ?? 0) + 1 }

    private static func nextPageID(in db: Database) throws -> Int64 { (try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM outbox") ?? 0) + 1 }

    /// Each incident `sql` selects (`engineIncidentColumns`), without alerts.
    private static func forEachIncident(
        in db: Database, sql: String, _ arguments: StatementArguments = [:], _ body: (Incident) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        var lastNotified: [String] = []
        while let row = try rows.next() {
            var incident = try incident(from: row)
            // Incidents paged by the same step share one receiver list, as
            // in the engine that wrote them (`PagingPolicy.reachable`).
            if let notified = incident.escalation?.notified, !notified.isEmpty {
                if notified == lastNotified { incident.escalation?.notified = lastNotified } else { lastNotified = notified }
            }
            try body(incident)
        }
    }

    /// The engine after a restart, holding none of the active incidents
    /// (`IncidentEngine.init(…held:…)`), with this store as its source.
    /// One connection reads the active incidents (without alerts) and hands
    /// them over in chunks; the other reads what may reopen and the active
    /// incidents' alerts (only what the indexes need), builds the engine,
    /// indexes the alerts and then each chunk as it comes: reading and
    /// indexing overlap on the two cores.
    public func loadEngine(settings: IncidentSettings, paging: PagingPolicy, resolvedSince: Date) throws -> IncidentEngine {
        let since: StatementArguments = ["since": Millis.from(resolvedSince)]
        let chunks = Handoff<[IndexedIncident]>()
        let (incidentsRead, engineBuilt) = inParallel(
            {
                defer { chunks.finish() }
                return Result {
                    try self.pool.read { db in
                        var chunk: [IndexedIncident] = []
                        chunk.reserveCapacity(Self.handoffChunk)
                        try Self.forEachIndexedIncident(in: db, paging: paging) { incident in
                            chunk.append(incident)
                            if chunk.count == Self.handoffChunk {
                                chunks.put(chunk)
                                chunk.removeAll(keepingCapacity: true)
                            }
                        }
                        if !chunk.isEmpty { chunks.put(chunk) }
                    }
                }
            },
            {
                Result {
                    var engine = try self.pool.read { db in
                        let (held, nextID, nextPageID) = try Self.engineIncidents(in: db, since: since, part: .reopenable)
                        var table = held
                        for (id, alerts, firing) in try Self.engineAlerts(in: db, since: since, part: .reopenable) {
                            Self.file(alerts, firing: firing, under: id, in: &table)
                        }
                        var engine = IncidentEngine(
                            settings: settings, paging: paging, held: table, nextID: nextID, nextPageID: nextPageID, source: self)
                        engine.reserveLetGo(
                            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM incidents WHERE state IN (\(Self.activeStates))") ?? 0)
                        let rows = RowStepper(try db.makeStatement(sql: Self.activeAlertsSQL), in: db)
                        var alerts: [IndexedAlert] = []
                        while try rows.next() {
                            alerts.append(
                                rows.withText(1) { fingerprint in
                                    IndexedAlert(
                                        incidentID: rows.int64(0), fingerprintUTF8: fingerprint, firing: rows.int64(2) != 0,
                                        expiresAt: rows.isNull(3) ? nil : Millis.date(rows.int64(3)))
                                })
                            if alerts.count == Self.handoffChunk {
                                engine.indexLetGo(alerts)
                                alerts.removeAll(keepingCapacity: true)
                            }
                        }
                        engine.indexLetGo(alerts)
                        return engine
                    }
                    while let chunk = chunks.take() { engine.indexLetGo(chunk) }
                    return engine
                }
            })
        try incidentsRead.get()
        return try engineBuilt.get()
    }

    /// Rows handed from reading to indexing at a time.
    private static let handoffChunk = 4096

    /// The alerts of the engine's incidents, filed by incident: a run of
    /// rows of one incident becomes one entry (they come in primary-key
    /// order as SQLite reads them, but nothing promises it, so the caller
    /// merges entries of the same incident).
    private static func engineAlerts(
        in db: Database, since: StatementArguments, part: EnginePart = .all
    ) throws -> [(incidentID: Int64, alerts: IncidentAlerts, firing: Int)] {
        var filed: [(incidentID: Int64, alerts: IncidentAlerts, firing: Int)] = []
        let ids = engineIncidents(selecting: "SELECT id FROM incidents", part: part)
        let rows = try Row.fetchCursor(
            db, sql: "SELECT \(engineAlertColumns) FROM \(alertsWithCounts) WHERE incident_id IN (\(ids))", arguments: since)
        while let row = try rows.next() {
            let alert = alert(from: row)
            if filed.last?.incidentID != alert.incidentID { filed.append((alert.incidentID, [:], 0)) }
            filed[filed.count - 1].alerts[alert.fingerprint] = alert
            if alert.status == .firing { filed[filed.count - 1].firing += 1 }
        }
        return filed
    }

    /// `select` (from `incidents`) of the incidents the engine holds: the
    /// active ones and those auto-resolved since `:since`, each part found
    /// through an index (a store keeps every incident it ever opened, and
    /// start-up must not read them all). An incident is never in both parts
    /// (reopening clears `auto_resolved`).
    static func engineIncidents(selecting select: String, part: EnginePart = .all) -> String {
        let reopenable = "\(select) WHERE auto_resolved = 1 AND resolved_at >= :since"
        return part == .reopenable ? reopenable : "\(select) WHERE state IN (\(activeStates)) UNION ALL \(reopenable)"
    }

    /// Which of the engine's incidents: all, or only those that may reopen.
    enum EnginePart { case all, reopenable }

    /// The active states as an SQL list: `'open','acknowledged',…`.
    static let activeStates = IncidentState.allCases.filter(\.isActive).map { "'\($0.rawValue)'" }.joined(separator: ",")

    /// The active incidents, as `indexedIncident` reads them.
    static let indexedIncidentsSQL = "SELECT id, severity, state, group_key, escalation FROM incidents WHERE state IN (\(activeStates))"

    /// Each active incident as the engine indexes it: rows read with
    /// SQLite's own calls, no `Incident` built (a million at start-up).
    private static func forEachIndexedIncident(
        in db: Database, paging: PagingPolicy, _ body: (IndexedIncident) throws -> Void
    ) throws {
        let rows = RowStepper(try db.makeStatement(sql: indexedIncidentsSQL), in: db)
        while try rows.next() { try body(indexedIncident(rows, paging: paging)) }
    }

    private static func indexedIncident(_ rows: RowStepper, paging: PagingPolicy) -> IndexedIncident {
        let state = rows.withText(2) { IncidentState(rawValue: String(decoding: $0, as: UTF8.self)) } ?? .open
        let escalation = rows.isNull(4) ? nil : rows.withText(4) { JSONText.decodeEscalation($0) }
        return rows.withText(3) { groupKey in
            IndexedIncident(
                id: rows.int64(0), severity: Severity(rawValue: Int(rows.int64(1))) ?? .sev3, state: state,
                groupKey: groupKey, escalation: escalation, paging: paging)
        }
    }

    /// The active incidents' alerts, as `IndexedAlert` needs them.
    /// A join, not `incident_id IN (SELECT …)`: SQLite builds the list of a
    /// subquery into a temporary b-tree first (a million entries at start-up;
    /// 0.9 → 0.6 s for the query alone with 1M open incidents).
    static let activeAlertsSQL = """
        SELECT incident_id, fingerprint, status = '\(AlertStatus.firing.rawValue)', \(alertExpiresAt)
        FROM incidents i JOIN incident_alerts ON incident_id = i.id
          LEFT JOIN alert_counts ON repeated_incident = incident_id AND repeated_fingerprint = fingerprint
        WHERE i.state IN (\(activeStates))
        """

    // MARK: IncidentSource (what the engine let go of)

    public func engineIncident(_ id: Int64) throws -> Incident? { try engineIncidents([id]).first }

    public func engineIncidents(_ ids: [Int64]) throws -> [Incident] {
        try pool.read { db in
            var incidents = IncidentTable(minimumCapacity: ids.count)
            // In slices: an SQL statement takes a bounded number of arguments.
            for start in stride(from: 0, to: ids.count, by: 500) {
                let slice = Array(ids[start..<min(ids.count, start + 500)])
                let list = Array(repeating: "?", count: slice.count).joined(separator: ",")
                try Self.forEachIncident(
                    in: db, sql: "SELECT \(Self.engineIncidentColumns) FROM \(Self.incidentsWithCounts) WHERE id IN (\(list))",
                    StatementArguments(slice)
                ) { incidents[$0.id] = $0 }
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT \(Self.engineAlertColumns) FROM \(Self.alertsWithCounts) WHERE incident_id IN (\(list))",
                    arguments: StatementArguments(slice))
                while let row = try rows.next() {
                    let alert = Self.alert(from: row)
                    Self.file([alert.fingerprint: alert], firing: alert.status == .firing ? 1 : 0, under: alert.incidentID, in: &incidents)
                }
            }
            return Array(incidents.values)
        }
    }

    public func forEachIndexedIncident(paging: PagingPolicy, _ body: (IndexedIncident) throws -> Void) throws {
        try pool.read { db in try Self.forEachIndexedIncident(in: db, paging: paging, body) }
    }

    // MARK: Queries

    public func incident(_ id: Int64) throws -> Incident? {
        try pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(Self.incidentColumns) FROM \(Self.incidentsWithCounts) WHERE id = ?", arguments: [id]) else {
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
                  (SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = incidents.id) AS alert_count,
                  (SELECT COUNT(*) FROM incident_alerts a WHERE a.incident_id = incidents.id AND a.status = 'firing')
                    AS firing_count
                FROM \(Self.incidentsWithCounts)
                \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
                ORDER BY incidents.id DESC LIMIT ?
                """
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                IncidentSummary(
                    incident: try Self.incident(from: row), alertCount: row["alert_count"],
                    firingCount: row["firing_count"])
            }
        }
    }

    public func fate(of fingerprint: String, heldBy incident: Int64?) throws -> Fate? {
        try pool.read { db in
            // A repeat's fate is written once; its time is then its alert's
            // `last_seen` (see `IncidentEngine.fatesToWrite`).
            let onRow = try incident.flatMap { id in
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT fingerprint, fate_at AS at, fate_rule AS rule, fate_severity AS severity, incident_id,
                          fate_decision AS decision, fate_reasons AS reasons,
                          IIF(fate_decision = 'deduplicated', max(fate_at, \(Self.alertLastSeen)), fate_at) AS decided_at
                        FROM \(Self.alertsWithCounts) WHERE incident_id = ? AND fingerprint = ? AND fate_at IS NOT NULL
                        """,
                    arguments: [id, fingerprint]
                ).map(Self.fate(from:))
            }
            let sql = """
                SELECT f.*, max(f.at, coalesce(repeated_last_seen, a.last_seen, f.at)) AS decided_at FROM fates f
                LEFT JOIN incident_alerts a
                  ON f.decision = 'deduplicated' AND a.incident_id = f.incident_id AND a.fingerprint = f.fingerprint
                LEFT JOIN alert_counts ON repeated_incident = a.incident_id AND repeated_fingerprint = a.fingerprint
                WHERE f.fingerprint = ?
                """
            let stored = try Row.fetchOne(db, sql: sql, arguments: [fingerprint]).map(Self.fate(from:))
            guard let onRow, let stored else { return onRow ?? stored }
            return stored.at > onRow.at ? stored : onRow
        }
    }

    private static func fate(from row: Row) -> Fate {
        Fate(
            fingerprint: row["fingerprint"], at: Millis.date(row["decided_at"]), rule: row["rule"],
            severity: Severity(rawValue: row["severity"]) ?? .sev3, incidentID: row["incident_id"],
            decision: Fate.Decision(rawValue: row["decision"]) ?? .deduplicated,
            reasons: JSONText.decodeList(row["reasons"]))
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

    public func checkHealth() throws {
        try pool.read { db in _ = try Int64.fetchOne(db, sql: "SELECT id FROM incidents LIMIT 1") }
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
