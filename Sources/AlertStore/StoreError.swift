/// What the store refuses to do, beyond SQLite's own errors.
public enum StoreError: Error, CustomStringConvertible, Equatable {
    /// Counts came for an incident the store does not hold: the engine's
    /// memory ran ahead of the file (see `SQLiteIncidentStore.write`).
    case missingIncident(Int64)

    public var description: String {
        switch self {
        case .missingIncident(let id): return "counts for incident #\(id), which the store does not hold"
        }
    }
}
