/// What the store refuses to do, beyond SQLite's own errors.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// Counts came for an incident the store does not hold: the engine's
    /// memory ran ahead of the file (see `SQLiteIncidentStore.write`).
    case missingIncident(Int64)
    /// The same for an alert of an incident.
    case missingAlert(incident: Int64, fingerprint: String)

    public var description: String {
        switch self {
        case .missingIncident(let id): return "counts for incident #\(id), which the store does not hold"
        case .missingAlert(let id, let fingerprint):
            return "counts for alert \(fingerprint) of incident #\(id), which the store does not hold"
        }
    }
}
