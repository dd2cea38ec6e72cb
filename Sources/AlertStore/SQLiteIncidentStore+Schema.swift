import GRDB

extension SQLiteIncidentStore {
    /// Schema migrations, applied in order on open. Never edit a shipped
    /// migration: add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: incidents, alerts, timeline, fates") { db in
            try db.execute(
                sql: """
                    CREATE TABLE incidents (
                      id INTEGER PRIMARY KEY,
                      title TEXT NOT NULL,
                      severity INTEGER NOT NULL,
                      state TEXT NOT NULL,
                      group_key TEXT NOT NULL,
                      rule TEXT,
                      opened_at INTEGER NOT NULL,
                      acknowledged_at INTEGER,
                      acknowledged_by TEXT,
                      mitigated_at INTEGER,
                      resolved_at INTEGER,
                      resolved_by TEXT,
                      auto_resolved INTEGER NOT NULL DEFAULT 0,
                      occurrences INTEGER NOT NULL,
                      last_seen INTEGER NOT NULL,
                      roles TEXT NOT NULL DEFAULT '{}',
                      maintenance INTEGER NOT NULL DEFAULT 0,
                      flapping INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE INDEX incidents_by_state ON incidents(state, severity);
                    CREATE TABLE incident_alerts (
                      incident_id INTEGER NOT NULL REFERENCES incidents(id),
                      fingerprint TEXT NOT NULL,
                      check_name TEXT NOT NULL,
                      host TEXT,
                      source TEXT,
                      summary TEXT,
                      status TEXT NOT NULL,
                      severity INTEGER NOT NULL,
                      labels TEXT NOT NULL DEFAULT '{}',
                      first_seen INTEGER NOT NULL,
                      last_seen INTEGER NOT NULL,
                      count INTEGER NOT NULL,
                      PRIMARY KEY (incident_id, fingerprint)
                    ) WITHOUT ROWID;
                    CREATE TABLE timeline (
                      seq INTEGER PRIMARY KEY,
                      incident_id INTEGER NOT NULL REFERENCES incidents(id),
                      at INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      detail TEXT NOT NULL
                    );
                    CREATE INDEX timeline_by_incident ON timeline(incident_id, seq);
                    CREATE TABLE fates (
                      fingerprint TEXT PRIMARY KEY,
                      at INTEGER NOT NULL,
                      rule TEXT,
                      severity INTEGER NOT NULL,
                      incident_id INTEGER,
                      decision TEXT NOT NULL,
                      reasons TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2: escalation state and the outbox") { db in
            try db.execute(
                sql: """
                    ALTER TABLE incidents ADD COLUMN escalation TEXT;
                    ALTER TABLE incidents ADD COLUMN postmortem_due_at INTEGER;
                    CREATE TABLE outbox (
                      id INTEGER PRIMARY KEY,
                      incident_id INTEGER NOT NULL REFERENCES incidents(id),
                      receiver TEXT NOT NULL,
                      channel INTEGER NOT NULL,
                      kind TEXT NOT NULL,
                      step INTEGER NOT NULL,
                      status_update TEXT,
                      created_at INTEGER NOT NULL,
                      not_before INTEGER NOT NULL,
                      first_attempt_at INTEGER,
                      next_attempt_at INTEGER NOT NULL,
                      attempts INTEGER NOT NULL,
                      state TEXT NOT NULL,
                      last_error TEXT
                    );
                    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                    CREATE INDEX outbox_by_incident ON outbox(incident_id);
                    """)
        }
        migrator.registerMigration("v3: alert expiry (endsAt)") { db in
            try db.execute(sql: "ALTER TABLE incident_alerts ADD COLUMN expires_at INTEGER")
        }
        // Fates keyed by fingerprint in a WITHOUT ROWID table put every new
        // alert's row at a random place in the tree: a batch of new alerts
        // dirtied nearly every leaf page of it (written to the WAL again on
        // each commit, and read back once the page cache overflowed). Rows in
        // rowid order with a small unique index on the fingerprint append.
        migrator.registerMigration("v4: fates appended in rowid order") { db in
            try db.execute(
                sql: """
                    CREATE TABLE fates_v4 (
                      id INTEGER PRIMARY KEY,
                      fingerprint TEXT NOT NULL UNIQUE,
                      at INTEGER NOT NULL,
                      rule TEXT,
                      severity INTEGER NOT NULL,
                      incident_id INTEGER,
                      decision TEXT NOT NULL,
                      reasons TEXT NOT NULL
                    );
                    INSERT INTO fates_v4 (fingerprint, at, rule, severity, incident_id, decision, reasons)
                      SELECT fingerprint, at, rule, severity, incident_id, decision, reasons FROM fates ORDER BY at;
                    DROP TABLE fates;
                    ALTER TABLE fates_v4 RENAME TO fates;
                    """)
        }
        // Start-up reads the incidents that may still reopen by this index
        // (`engineIncidents(selecting:)`); without it, it read the whole table.
        migrator.registerMigration("v5: index of auto-resolved incidents") { db in
            try db.execute(sql: "CREATE INDEX incidents_auto_resolved ON incidents(resolved_at) WHERE auto_resolved = 1")
        }
        // A computed fingerprint became 15 hex digits, the low 60 bits of
        // the same hash (`Fingerprint.of`): a 16-digit one loses its first
        // digit, wherever the engine looks it up (an alert's row, its fate,
        // the group key of an incident grouped by it), so an alert firing
        // before the upgrade still finds its incident after it. A `dedup_key`
        // of exactly 16 lowercase hex digits cannot be told apart and is
        // rewritten too (its next alert opens a new incident). Should two
        // fingerprints differ only in the dropped digit, the row rewritten
        // first takes the new one and the other stays as it was: an upgrade
        // never fails on it.
        migrator.registerMigration("v6: fingerprints of 15 hex digits") { db in
            func old(_ text: String) -> String { "length(\(text)) = 16 AND \(text) NOT GLOB '*[^0-9a-f]*'" }
            try db.execute(
                sql: """
                    UPDATE OR IGNORE incident_alerts SET fingerprint = substr(fingerprint, 2)
                      WHERE \(old("fingerprint"));
                    UPDATE OR IGNORE fates SET fingerprint = substr(fingerprint, 2)
                      WHERE \(old("fingerprint"));
                    UPDATE incidents SET group_key = 'fp:' || substr(group_key, 5)
                      WHERE group_key GLOB 'fp:*' AND \(old("substr(group_key, 4)"));
                    """)
        }
        // An alert's fate while it is on an active incident is kept on its
        // row there (`fate_*`), written with the row a batch writes anyway;
        // only fates that name no incident, and an incident's alerts' fates
        // once it resolves, go to `fates`. A flood of new alerts then writes
        // no row at a random place in a tree (the fingerprint's index of
        // `fates`), the largest single cost of a new incident's commit.
        migrator.registerMigration("v7: fates on active incidents' alert rows") { db in
            try db.execute(
                sql: """
                    ALTER TABLE incident_alerts ADD COLUMN fate_at INTEGER;
                    ALTER TABLE incident_alerts ADD COLUMN fate_rule TEXT;
                    ALTER TABLE incident_alerts ADD COLUMN fate_severity INTEGER;
                    ALTER TABLE incident_alerts ADD COLUMN fate_decision TEXT;
                    ALTER TABLE incident_alerts ADD COLUMN fate_reasons TEXT;
                    """)
        }
        // An incident whose only change in a batch is that its alerts
        // repeated has its counts written here, a row of three numbers,
        // instead of rewriting its wide row in `incidents` (with the title
        // and escalation state); readers take these when present
        // (`incidentsWithCounts`), and the next write of the whole incident
        // removes its row here. Prometheus resends every firing alert each
        // evaluation: most of a steady stream of repeats is this.
        migrator.registerMigration("v8: incidents' counts apart") { db in
            try db.execute(
                sql: """
                    CREATE TABLE incident_counts (
                      counted_id INTEGER PRIMARY KEY REFERENCES incidents(id),
                      counted_occurrences INTEGER NOT NULL,
                      counted_last_seen INTEGER NOT NULL
                    );
                    """)
        }
        // The same for an alert whose only change in a batch is that it
        // repeated: its count, last-seen time and expiry (Prometheus moves
        // `endsAt` on every resend) go here instead of into its wide row
        // (labels, summary, fate); a summary it carried goes on its row only
        // when it differs (`alertsWithCounts`).
        migrator.registerMigration("v9: alerts' counts apart") { db in
            try db.execute(
                sql: """
                    CREATE TABLE alert_counts (
                      repeated_incident INTEGER NOT NULL,
                      repeated_fingerprint TEXT NOT NULL,
                      repeated_count INTEGER NOT NULL,
                      repeated_last_seen INTEGER NOT NULL,
                      repeated_expires_at INTEGER,
                      PRIMARY KEY (repeated_incident, repeated_fingerprint),
                      FOREIGN KEY (repeated_incident, repeated_fingerprint) REFERENCES incident_alerts(incident_id, fingerprint)
                    ) WITHOUT ROWID;
                    """)
        }
        return migrator
    }
}
