import Foundation

/// Everything the engine changed since the last `takeChanges()`, coalesced:
/// an incident or alert touched a thousand times in a batch appears once.
public struct ChangeSet: Sendable {
    public var incidents: [Incident] = []
    /// Incidents whose only change is that they counted repeats (and are
    /// not in `incidents`): their new counts alone, written without the
    /// rest of the row.
    public var counts: [IncidentCounts] = []
    public var alerts: [IncidentAlert] = []
    /// Alerts whose only change is that they counted repeats (and are not
    /// in `alerts`): count, last seen and expiry moved; the summary is a
    /// new one a repeat carried (nil: none, or the one last written). Written
    /// by their counts, not whole.
    public var alertCounts: [IncidentAlert] = []
    public var timeline: [TimelineEntry] = []
    public var fates: [Fate] = []

    public init() {}

    /// Outbox rows to insert or update.
    public var pages: [OutboxPage] = []

    public var isEmpty: Bool {
        incidents.isEmpty && counts.isEmpty && alerts.isEmpty && alertCounts.isEmpty && timeline.isEmpty
            && fates.isEmpty && pages.isEmpty
    }

    /// Where each changed incident is in `incidents`, by id (positions, not
    /// copies: an `Incident` copy retains each of its fields).
    public var incidentPositions: [Int64: Int] {
        var positions: [Int64: Int] = [:]
        positions.reserveCapacity(incidents.count)
        var position = 0
        incidents.forEachInPlace { incident in
            positions[incident.id] = position
            position += 1
        }
        return positions
    }
}

/// An incident's counters, after repeats of alerts it holds firing: the
/// most common change of all, and the only one a repeat makes to its
/// incident.
public struct IncidentCounts: Sendable, Equatable {
    public var id: Int64
    public var occurrences: Int64
    public var lastSeen: Date

    public init(id: Int64, occurrences: Int64, lastSeen: Date) {
        self.id = id
        self.occurrences = occurrences
        self.lastSeen = lastSeen
    }
}

extension Array {
    /// Calls `body` with each element where it lies. `for element in array`
    /// copies each one (a retain of every reference it holds, released
    /// after): each commit walks every changed incident and alert several
    /// times.
    @inlinable
    public func forEachInPlace(_ body: (borrowing Element) throws -> Void) rethrows {
        try withUnsafeBufferPointer { buffer in
            for index in buffer.indices { try body(buffer[index]) }
        }
    }
}
