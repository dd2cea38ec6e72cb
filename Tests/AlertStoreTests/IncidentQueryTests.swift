import AlertCore
import AlertStore
import Foundation
import Testing

@Suite("SQLiteIncidentStore incident queries")
final class IncidentQueryTests {
    let database: TemporaryDatabase
    let store: SQLiteIncidentStore

    /// | id | severity | state                  |
    /// |----|----------|------------------------|
    /// | 1  | SEV1     | open                   |
    /// | 2  | SEV2     | acknowledged           |
    /// | 3  | SEV3     | open                   |
    /// | 4  | SEV2     | resolved (by hand)     |
    /// | 5  | SEV2     | open                   |
    /// | 6  | SEV4     | resolved (auto)        |
    /// | 7  | SEV2     | open                   |
    init() throws {
        database = try TemporaryDatabase()
        store = try SQLiteIncidentStore(path: database.path)
        var engine = IncidentEngine()
        let severities: [Severity] = [.sev1, .sev2, .sev3, .sev2, .sev2, .sev4, .sev2]
        for (index, severity) in severities.enumerated() {
            engine.take(Alert(check: "check_\(index + 1)"), classified(severity), at: t0 + Double(index))
        }
        try engine.acknowledge(2, by: "alice", now: t0 + 10)
        try engine.resolve(4, by: "bob", note: nil, now: t0 + 11)
        engine.take(Alert(check: "check_6").resolved, at: t0 + 12)
        try store.apply(engine.takeChanges(now: t0 + 13))
    }

    deinit { database.remove() }

    @Test(
        "filters by state and severity, newest first, up to the limit",
        arguments: [
            (IncidentQuery(), [7, 5, 3, 2, 1] as [Int64]),
            (IncidentQuery(states: [.open]), [7, 5, 3, 1]),
            (IncidentQuery(states: [.acknowledged]), [2]),
            (IncidentQuery(states: [.mitigated]), []),
            (IncidentQuery(states: []), []),
            (IncidentQuery(states: [.resolved]), [6, 4]),
            (IncidentQuery(states: [.open, .resolved]), [7, 6, 5, 4, 3, 1]),
            (IncidentQuery(states: IncidentState.allCases), [7, 6, 5, 4, 3, 2, 1]),
            (IncidentQuery(severity: .sev2), [7, 5, 2]),
            (IncidentQuery(severity: .sev1), [1]),
            (IncidentQuery(severity: .sev4), []),
            (IncidentQuery(states: [.resolved], severity: .sev2), [4]),
            (IncidentQuery(states: IncidentState.allCases, severity: .sev4), [6]),
            (IncidentQuery(limit: 2), [7, 5]),
            (IncidentQuery(states: IncidentState.allCases, limit: 3), [7, 6, 5]),
            (IncidentQuery(severity: .sev2, limit: 1), [7]),
            (IncidentQuery(limit: 0), []),
        ])
    func filters(query: IncidentQuery, ids: [Int64]) throws {
        let found = try store.incidents(query)
        #expect(found.map(\.incident.id) == ids)
        if let states = query.states { #expect(found.allSatisfy { states.contains($0.incident.state) }) }
        if let severity = query.severity { #expect(found.allSatisfy { $0.incident.severity == severity }) }
    }

    @Test("each listed incident carries its alert and firing counts")
    func summaryCounts() throws {
        let all = try store.incidents(IncidentQuery(states: IncidentState.allCases))
        #expect(all.map(\.alertCount) == Array(repeating: 1, count: 7))
        #expect(all.map(\.firingCount) == [1, 0, 1, 1, 1, 1, 1])  // only #6's alert resolved
    }

    @Test("counts group active incidents by severity and all incidents by state")
    func counts() throws {
        let counts = try store.counts()
        #expect(counts.activeBySeverity == [.sev1: 1, .sev2: 3, .sev3: 1, .sev4: 0])
        #expect(counts.byState == [.open: 4, .acknowledged: 1, .mitigated: 0, .resolved: 2])
    }
}
