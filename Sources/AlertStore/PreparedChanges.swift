import AlertCore

/// A batch's changes with the texts its rows carry already encoded (the
/// JSON of each incident's roles and escalation state, of each new alert's
/// labels and of each fate's reasons) and each fate paired with the alert
/// row it goes on. The pipeline makes it on its own thread, so that under
/// a flood the committer's thread, which sets the pace, only writes rows
/// (`Committer`); `apply(ChangeSet)` makes it on the way.
public struct PreparedChanges: Sendable {
    public let changes: ChangeSet
    /// By position in `changes.incidents`.
    let roles: [String]
    let escalations: [String?]
    /// By position in `changes.alerts`; nil for a repeat (`count > 1`),
    /// which is usually stored already and updated without its labels (the
    /// writer encodes them itself for one that is not).
    let labels: [String?]
    /// By position in `changes.fates`.
    let reasons: [String]
    /// By position in `changes.alerts`: the position in `changes.fates` of
    /// the fate kept on that alert's row, if the batch has one. A fate that
    /// names an incident is kept on its alert's row there (see `fate(of:heldBy:)`).
    let alertFates: [Int?]
    /// Positions in `changes.fates` of the fates that name an incident but
    /// whose alert's row this batch does not write: set on the stored row.
    let fatesOnStoredRows: [Int]

    /// Encodes what `changes`' rows will carry.
    public init(_ changes: ChangeSet) {
        self.changes = changes
        var roles: [String] = []
        var escalations: [String?] = []
        roles.reserveCapacity(changes.incidents.count)
        escalations.reserveCapacity(changes.incidents.count)
        changes.incidents.forEachInPlace { incident in
            roles.append(JSONText.encode(incident.roles))
            escalations.append(incident.escalation.map(JSONText.encode))
        }
        var labels: [String?] = []
        labels.reserveCapacity(changes.alerts.count)
        changes.alerts.forEachInPlace { alert in labels.append(alert.count > 1 ? nil : JSONText.encode(alert.labels)) }
        self.roles = roles
        self.escalations = escalations
        self.labels = labels
        reasons = changes.fates.map { JSONText.encode($0.reasons) }
        (alertFates, fatesOnStoredRows) = Self.match(changes)
    }

    /// Pairs each fate that names an incident with its alert's row in the
    /// batch, if there is one.
    private static func match(_ changes: ChangeSet) -> (alertFates: [Int?], fatesOnStoredRows: [Int]) {
        struct Key: Hashable {
            let incident: Int64
            let fingerprint: String
        }
        var positions: [Key: Int] = [:]
        positions.reserveCapacity(changes.fates.count)
        for (position, fate) in changes.fates.enumerated() {
            if let incident = fate.incidentID { positions[Key(incident: incident, fingerprint: fate.fingerprint)] = position }
        }
        var alertFates: [Int?] = []
        alertFates.reserveCapacity(changes.alerts.count)
        changes.alerts.forEachInPlace { alert in
            alertFates.append(positions.removeValue(forKey: Key(incident: alert.incidentID, fingerprint: alert.fingerprint)))
        }
        return (alertFates, positions.values.sorted())
    }
}
