/// A grouping identity as the engine keeps it: the alert's fingerprint
/// (the same string, not a copy) or a rule's group. The same identity as
/// `Incident.groupKey`'s text (`fp:<fingerprint>` / `<rule>{k="v",…}`),
/// without building that text for every alert and every open incident.
struct IncidentGroup: Hashable, Sendable, CustomStringConvertible {
    var byFingerprint: Bool
    var value: String

    var description: String { byFingerprint ? "fp:" + value : value }

    init(byFingerprint: Bool, value: String) {
        self.byFingerprint = byFingerprint
        self.value = value
    }

    /// The group a key's text names: one text, one identity, as when the
    /// text itself was the key (a rule named `fp:…` included).
    init(text: String) { (byFingerprint, value) = Incident.parseGroupKey(text) }
}

extension Incident {
    var groupIdentity: IncidentGroup { IncidentGroup(byFingerprint: groupedByFingerprint, value: group) }
}

/// Incident ids by group, in two maps so that neither key carries its kind
/// (a `String` key is 16 bytes a bucket; a key with a flag would be 24).
struct GroupIndex: Sendable {
    private var byFingerprint: [String: Int64] = [:]
    private var byRule: [String: Int64] = [:]

    subscript(group: IncidentGroup) -> Int64? {
        get { group.byFingerprint ? byFingerprint[group.value] : byRule[group.value] }
        set {
            if group.byFingerprint { byFingerprint[group.value] = newValue } else { byRule[group.value] = newValue }
        }
    }

    @discardableResult
    mutating func removeValue(forKey group: IncidentGroup) -> Int64? {
        group.byFingerprint ? byFingerprint.removeValue(forKey: group.value) : byRule.removeValue(forKey: group.value)
    }

    /// Room for `count` incidents grouped by fingerprint (the usual kind).
    mutating func reserveCapacity(_ count: Int) { byFingerprint.reserveCapacity(count) }

    var count: Int { byFingerprint.count + byRule.count }

    /// The incidents held, in no particular order.
    var ids: [Int64] { Array(byFingerprint.values) + Array(byRule.values) }
}
