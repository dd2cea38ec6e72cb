import AlertCore
import Foundation
import GRDB

// Row <-> value mapping and the batch writer. Statements are cached and
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
    /// it has them, else its row's.
    static let alertCountColumns = """
        COALESCE(repeated_last_seen, last_seen), COALESCE(repeated_count, count),
        IIF(repeated_count IS NULL, expires_at, repeated_expires_at)
        """

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

/// Small JSON columns (labels, roles, reasons), keys sorted so equal values
/// store equal text.
enum JSONText {
    static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        return string(map)
    }

    static func encode(_ list: [String]) -> String { string(list) }

    static func decodeMap(_ text: String?) -> [String: String] {
        // Most maps are empty (an incident's roles): no parse for those.
        guard let text, text != "{}", case .object(let members)? = try? JSONParser.parse(text.utf8) else { return [:] }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members {
            guard let string = value.string else { return [:] }
            map[key] = string
        }
        return map
    }

    /// A Codable value as JSON text (escalation state, status updates).
    static func encodeValue(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Whole milliseconds, like every other time in the store.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Millis.from(date))
        }
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let data = text?.data(using: .utf8) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Millis.date(try decoder.singleValueContainer().decode(Int64.self))
        }
        return try? decoder.decode(T.self, from: data)
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let text, case .array(let items)? = try? JSONParser.parse(text.utf8) else { return [] }
        var list: [String] = []
        list.reserveCapacity(items.count)
        for item in items {
            guard let string = item.string else { return [] }
            list.append(string)
        }
        return list
    }

    // Encoders written out by hand: labels, reasons and escalation state are
    // written for every changed row of every commit, and Foundation's
    // encoders cost more than the rest of the row.

    // The usual texts need no escape: those are written byte by byte into
    // a string made at its final size (appending to a `String` checks and
    // copies piece by piece: ~10% of the pipeline's time on a new incident);
    // the others go the escaping way below. Both write the same text.

    private static func string(_ map: [String: String]) -> String {
        var members: [String] = []
        members.reserveCapacity(2 * map.count)
        for key in map.keys.sorted() {
            members.append(key)
            members.append(map[key]!)
        }
        return plain(members, "{", "}", pairs: true) ?? escapedString(map)
    }

    static func string(_ list: [String]) -> String { plain(list, "[", "]", pairs: false) ?? escapedString(list) }

    /// `texts` as a JSON array, or with `pairs` as an object's members
    /// (key, value, key, …); nil when one of them needs an escape.
    private static func plain(_ texts: [String], _ open: Unicode.Scalar, _ close: Unicode.Scalar, pairs: Bool) -> String? {
        var count = 2 + max(texts.count - 1, 0)
        for text in texts {
            guard isPlain(text) else { return nil }
            count += text.utf8.count + 2
        }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var writer = ByteWriter(buffer: buffer)
            writer.put(UInt8(ascii: open))
            for (index, text) in texts.enumerated() {
                if index > 0 { writer.put(UInt8(ascii: pairs && index % 2 == 1 ? ":" : ",")) }
                writer.putQuoted(text)
            }
            writer.put(UInt8(ascii: close))
            return writer.position
        }
    }

    /// Whether `text` goes into a JSON string literal as it is.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    /// Writes into a buffer sized beforehand.
    private struct ByteWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var position = 0

        mutating func put(_ byte: UInt8) {
            buffer[position] = byte
            position += 1
        }

        /// `"text"`, for a text that `isPlain`.
        mutating func putQuoted(_ text: String) {
            put(UInt8(ascii: "\""))
            var text = text
            text.withUTF8 { bytes in
                if let source = bytes.baseAddress, let target = buffer.baseAddress {
                    (target + position).initialize(from: source, count: bytes.count)
                }
                position += bytes.count
            }
            put(UInt8(ascii: "\""))
        }
    }

    static func escapedString(_ map: [String: String]) -> String {
        var text = "{"
        // Grown once, not step by step (each step a copy): the size without escapes.
        text.reserveCapacity(map.reduce(1 + 6 * map.count) { $0 + $1.key.utf8.count + $1.value.utf8.count })
        for (index, key) in map.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            quote(key, into: &text)
            text += ":"
            quote(map[key]!, into: &text)
        }
        return text + "}"
    }

    static func escapedString(_ list: [String]) -> String {
        var text = "["
        text.reserveCapacity(list.reduce(1 + 3 * list.count) { $0 + $1.utf8.count })
        for (index, item) in list.enumerated() {
            if index > 0 { text += "," }
            quote(item, into: &text)
        }
        return text + "]"
    }

    /// A JSON string literal (RFC 8259 escapes) appended to `text`.
    static func quote(_ value: String, into text: inout String) {
        text += "\""
        var plain = true
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                case _ where scalar.value < 0x20:
                    text += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
        text += "\""
    }
}
