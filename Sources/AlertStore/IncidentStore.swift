import AlertCore
import Foundation

/// Where incidents, their alerts, timelines and alert fates are kept.
///
/// One writer (the pipeline) calls `apply`; readers (alertctl, HTTP) call the
/// queries concurrently. `SQLiteIncidentStore` is the single-node store; a
/// PostgreSQL store for scale-out (SPEC §9) would conform to the same role.
public protocol IncidentStore: IncidentSource {
    /// Writes one batch of changes in ONE transaction; returns after commit.
    func apply(_ changes: PreparedChanges) throws

    /// The engine after a restart, holding none of the active incidents:
    /// it indexes them and reads each back from the store when needed.
    func loadEngine(settings: IncidentSettings, paging: PagingPolicy, resolvedSince: Date) throws -> IncidentEngine

    func incident(_ id: Int64) throws -> Incident?
    func timeline(of id: Int64) throws -> [TimelineEntry]
    func incidents(_ query: IncidentQuery) throws -> [IncidentSummary]
    /// What became of the last alert with this fingerprint (`alertctl
    /// explain`). `incident` is the active incident holding that alert, as
    /// the engine has it (`IncidentEngine.incident(holding:)`): while the
    /// alert is on an active incident its fate is kept on its row there,
    /// which only the engine's index finds by fingerprint.
    func fate(of fingerprint: String, heldBy incident: Int64?) throws -> Fate?
    func counts() throws -> IncidentCounts

    /// Throws when the store cannot be read. Cheap whatever the store holds:
    /// `/healthz` calls it (`counts` scans every incident).
    func checkHealth() throws

    /// Pending outbox rows due at `now` (and not held past it), oldest first.
    func duePages(now: Date, limit: Int) throws -> [OutboxPage]
    /// The earliest time a pending page becomes due, if any.
    func nextPageDue() throws -> Date?
    func pendingPageCount() throws -> Int
    func pages(of incident: Int64) throws -> [OutboxPage]
}

extension IncidentStore {
    /// Writes one batch of changes in ONE transaction, its texts encoded on the way.
    public func apply(_ changes: ChangeSet) throws { try apply(PreparedChanges(changes)) }
}

/// Every incident an engine needs after a restart, whole (`SQLiteIncidentStore.loadEngineState`).
public struct EngineState: Sendable {
    /// By id.
    public var incidents: IncidentTable
    public var nextID: Int64
    public var nextPageID: Int64
}

/// A filter for incident lists.
public struct IncidentQuery: Sendable, Equatable {
    /// nil: active incidents (open, acknowledged, mitigated).
    public var states: [IncidentState]?
    public var severity: Severity?
    public var limit: Int

    public init(states: [IncidentState]? = nil, severity: Severity? = nil, limit: Int = 100) {
        self.states = states
        self.severity = severity
        self.limit = limit
    }
}

/// An incident without its alerts, plus the counts a list shows.
public struct IncidentSummary: Sendable, Equatable {
    public var incident: Incident
    public var alertCount: Int
    public var firingCount: Int
}

public struct IncidentCounts: Sendable, Equatable {
    public var activeBySeverity: [Severity: Int]
    public var byState: [IncidentState: Int]
}
