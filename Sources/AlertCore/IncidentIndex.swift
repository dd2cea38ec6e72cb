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
    init(text: String) {
        byFingerprint = text.hasPrefix("fp:")
        value = byFingerprint ? String(text.dropFirst(3)) : text
    }
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

    /// The incidents held, in no particular order.
    var ids: [Int64] { Array(byFingerprint.values) + Array(byRule.values) }
}

/// How the engine finds an active incident: by an alert's fingerprint (the
/// incident holding that alert) and by group (the incident of that group).
///
/// The usual incident is grouped by its one alert's fingerprint, so both
/// lookups use the same key: one map entry serves both (one hash, one probe
/// and one bucket instead of two of each, per open incident). That entry is
/// one number: the id when one incident both holds the fingerprint and is
/// its group's (the usual case), minus the id when it only holds it. Any
/// other pair (a group whose incident does not hold the alert, or two
/// incidents) is kept whole in a second, small map. At a million open
/// incidents a bucket of 16 bytes instead of 24 is 16 MB.
struct ActiveIndex: Sendable {
    /// Incident ids; 0 for none (ids start at 1).
    private struct Entry: Sendable {
        var holder: Int64 = 0
        var group: Int64 = 0
        var isEmpty: Bool { holder == 0 && group == 0 }
    }

    /// Packed entries (`pack`); `elsewhere` for those in `unusual`.
    private var byFingerprint = FingerprintMap<Int64>()
    private var unusual = FingerprintMap<Entry>()
    private var byRule: [String: Int64] = [:]

    private static let elsewhere = Int64.min

    /// The active incident holding an alert with this fingerprint.
    subscript(holding fingerprint: String) -> Int64? {
        get { Self.id(entry(FingerprintKey(fingerprint)).holder) }
        set { update(FingerprintKey(fingerprint)) { $0.holder = newValue ?? 0 } }
    }

    /// Incident `id` holds the alert with this fingerprint (start-up).
    mutating func setHolder(_ key: FingerprintKey, _ id: Int64) { update(key) { $0.holder = id } }

    /// The active incident of this group.
    subscript(group: IncidentGroup) -> Int64? {
        get { group.byFingerprint ? Self.id(entry(FingerprintKey(group.value)).group) : byRule[group.value] }
        set {
            if group.byFingerprint {
                update(FingerprintKey(group.value)) { $0.group = newValue ?? 0 }
            } else {
                byRule[group.value] = newValue
            }
        }
    }

    /// A group as start-up reads it from the store: a fingerprint's key, or
    /// a rule group's text.
    enum Group: Sendable {
        case fingerprint(FingerprintKey)
        case rule(String)

        /// From a stored group key's UTF-8 (`Incident.groupKey`): `fp:` and
        /// the fingerprint, or a rule group (`IncidentGroup(text:)`).
        init(groupKey bytes: UnsafeBufferPointer<UInt8>) {
            let prefix = "fp:".utf8
            if bytes.starts(with: prefix) {
                self = .fingerprint(FingerprintKey(utf8: UnsafeBufferPointer(rebasing: bytes[prefix.count...])))
            } else {
                self = .rule(String(decoding: bytes, as: UTF8.self))
            }
        }
    }

    /// Incident `id` is the active incident of `group` (start-up).
    mutating func setGroup(_ group: Group, _ id: Int64) {
        switch group {
        case .fingerprint(let key): update(key) { $0.group = id }
        case .rule(let text): byRule[text] = id
        }
    }

    /// Where a firing alert goes: the incident holding it, else its group's.
    func incident(holding fingerprint: String, orOf group: IncidentGroup) -> Int64? {
        guard group.byFingerprint, group.value == fingerprint else { return self[holding: fingerprint] ?? self[group] }
        let entry = entry(FingerprintKey(fingerprint))
        return Self.id(entry.holder) ?? Self.id(entry.group)
    }

    mutating func reserveCapacity(_ count: Int) { byFingerprint.reserveCapacity(count) }

    private static func id(_ value: Int64) -> Int64? { value == 0 ? nil : value }

    private func entry(_ key: FingerprintKey) -> Entry {
        guard let code = byFingerprint[key] else { return Entry() }
        return code == Self.elsewhere ? unusual[key] ?? Entry() : Self.unpack(code)
    }

    /// The entry as one number, or nil when it is a pair only `unusual` holds.
    private static func pack(_ entry: Entry) -> Int64? {
        if entry.group == 0 { return -entry.holder }
        return entry.holder == entry.group ? entry.holder : nil
    }

    private static func unpack(_ code: Int64) -> Entry {
        code > 0 ? Entry(holder: code, group: code) : Entry(holder: -code, group: 0)
    }

    private mutating func update(_ key: FingerprintKey, _ change: (inout Entry) -> Void) {
        // The usual entry: one probe to find or add it (a second only to
        // remove it). A pair that cannot be packed goes to `unusual`.
        var moved: Entry?
        var isElsewhere = false
        byFingerprint.update(key, default: 0) { code in
            guard code != Self.elsewhere else {
                isElsewhere = true
                return false
            }
            var entry = Self.unpack(code)
            change(&entry)
            guard let packed = Self.pack(entry) else {
                moved = entry
                code = Self.elsewhere
                return false
            }
            code = packed
            return entry.isEmpty
        }
        if let moved { unusual[key] = moved }
        guard isElsewhere else { return }
        var entry = unusual[key] ?? Entry()
        change(&entry)
        guard let packed = Self.pack(entry) else {
            unusual[key] = entry
            return
        }
        unusual[key] = nil
        byFingerprint[key] = entry.isEmpty ? nil : packed
    }
}

extension String {
    /// The same text in storage allocated here, by the thread that keeps it.
    ///
    /// An alert's strings are allocated by the listener thread that decoded
    /// it, in that thread's malloc arena, among the rest of the alert and
    /// its frame. The few the engine keeps for as long as the incident is
    /// open (fingerprint, check, host) would each pin a page of that arena
    /// that is otherwise garbage: at 300k open alerts, ~80 MB of freed
    /// memory the process could not give back. Copied on the pipeline
    /// thread, they sit together with the engine's other long-lived data.
    /// Short strings live inline in `String` and need no copy.
    func keptCopy() -> String {
        let count = utf8.count
        guard count > 15 else { return self }
        var source = self
        return source.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: count) { buffer in
                _ = buffer.initialize(fromContentsOf: bytes)
                return count
            }
        }
    }
}
