/// An incident's alerts, by fingerprint: a dictionary in use, but one that
/// holds a single alert without one.
///
/// Nearly every incident has exactly one alert (grouping is by fingerprint
/// unless a rule sets `group_by`), and the engine keeps every open incident
/// in memory. A one-entry `Dictionary` costs about 400 bytes; the single
/// alert here lives in one small heap box (about 180 bytes), and the
/// dictionary appears only when a second alert joins.
public struct IncidentAlerts: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// The single alert's box. Mutated in place only while uniquely
    /// referenced (copy on write), so sharing it between threads is safe.
    private final class Box: @unchecked Sendable {
        var alert: IncidentAlert
        init(_ alert: IncidentAlert) { self.alert = alert }
    }

    /// Exactly one alert: `single`; two or more: `many`; none: neither.
    private var single: Box?
    private var many: [String: IncidentAlert]?

    public init() {}

    public init(_ alerts: [String: IncidentAlert]) {
        for (fingerprint, alert) in alerts { self[fingerprint] = alert }
    }

    public init(dictionaryLiteral elements: (String, IncidentAlert)...) {
        for (fingerprint, alert) in elements { self[fingerprint] = alert }
    }

    public subscript(fingerprint: String) -> IncidentAlert? {
        get {
            if let single { return single.alert.fingerprint == fingerprint ? single.alert : nil }
            return many?[fingerprint]
        }
        set {
            if var alerts = many {
                many = nil  // `alerts` holds the only reference now: no copy
                alerts[fingerprint] = newValue?.keyed(fingerprint)
                if alerts.count > 1 {
                    many = alerts
                } else if let last = alerts.first {
                    single = Box(last.value)
                }
            } else if single != nil {  // no binding of the box: it would not be uniquely referenced below
                if single!.alert.fingerprint != fingerprint {
                    guard let newValue else { return }
                    let current = single!.alert
                    single = nil
                    many = [current.fingerprint: current, fingerprint: newValue.keyed(fingerprint)]
                } else if let newValue {
                    if isKnownUniquelyReferenced(&single) {
                        single!.alert = newValue.keyed(fingerprint)
                    } else {
                        single = Box(newValue.keyed(fingerprint))
                    }
                } else {
                    single = nil
                }
            } else if let newValue {
                single = Box(newValue.keyed(fingerprint))
            }
        }
    }

    /// Changes the alert with this fingerprint where it lies; nil when
    /// there is none. No copy is taken out and written back, so the alert's
    /// own boxes stay uniquely referenced (a repeat changes them in place
    /// instead of allocating new ones).
    public mutating func update<Result>(_ fingerprint: String, _ change: (inout IncidentAlert) -> Result) -> Result? {
        if single != nil {
            guard single!.alert.fingerprint == fingerprint else { return nil }
            if !isKnownUniquelyReferenced(&single) { single = Box(single!.alert) }
            return change(&single!.alert)
        }
        guard var alerts = many, let index = alerts.index(forKey: fingerprint) else { return nil }
        many = nil  // `alerts` holds the only reference now: no copy
        defer { many = alerts }
        return change(&alerts.values[index])
    }

    public var count: Int { single != nil ? 1 : many?.count ?? 0 }

    public var isEmpty: Bool { count == 0 }

    /// The fingerprints, in no particular order.
    public var keys: [String] { map(\.key) }

    /// The alerts, in no particular order.
    public var values: [IncidentAlert] { map(\.value) }

    /// Calls `body` with each alert where it lies (no copy of a lone one).
    public func forEachInPlace(_ body: (borrowing IncidentAlert) throws -> Void) rethrows {
        // Through a pointer: passing `single.alert` itself copies it.
        if let single { return try withUnsafeMutablePointer(to: &single.alert) { try body($0.pointee) } }
        guard let many else { return }
        for alert in many.values { try body(alert) }
    }

    public func mapValues(_ transform: (IncidentAlert) throws -> IncidentAlert) rethrows -> IncidentAlerts {
        var mapped = IncidentAlerts()
        for (fingerprint, alert) in self { mapped[fingerprint] = try transform(alert) }
        return mapped
    }

    public static func == (lhs: IncidentAlerts, rhs: IncidentAlerts) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (fingerprint, alert) in lhs where rhs[fingerprint] != alert { return false }
        return true
    }
}

extension IncidentAlerts: Sequence {
    public struct Iterator: IteratorProtocol {
        fileprivate var single: IncidentAlert?
        fileprivate var many: Dictionary<String, IncidentAlert>.Iterator?

        public mutating func next() -> (key: String, value: IncidentAlert)? {
            if let alert = single {
                single = nil
                return (alert.fingerprint, alert)
            }
            return many?.next()
        }
    }

    public func makeIterator() -> Iterator {
        Iterator(single: single?.alert, many: many?.makeIterator())
    }

    public var underestimatedCount: Int { count }
}

extension IncidentAlert {
    /// The alert filed under `fingerprint` (its own fingerprint is the key).
    fileprivate func keyed(_ fingerprint: String) -> IncidentAlert {
        guard self.fingerprint != fingerprint else { return self }
        var alert = self
        alert.fingerprint = fingerprint
        return alert
    }
}
