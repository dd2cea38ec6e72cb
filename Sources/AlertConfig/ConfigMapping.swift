import Yams

/// A mapping whose keys `ConfigReader.mapping(allowedKeys:)` has already
/// checked: only allowed keys are left, each with a reader for its value.
struct ConfigMapping {
    struct Entry {
        let keyMark: Mark?
        let value: ConfigReader
    }

    /// The reader of the mapping itself (for problems about the whole entry).
    let reader: ConfigReader
    let entries: [String: Entry]
    /// How many keys were reported as unknown, unsupported or misplaced.
    var rejectedKeyCount = 0

    /// The value of `key`, or nil when the key is absent.
    subscript(key: String) -> ConfigReader? { entries[key]?.value }

    func contains(_ key: String) -> Bool { entries[key] != nil }

    /// Which of `keys` are present, in the order of `keys`.
    func present(_ keys: [String]) -> [String] { keys.filter(contains) }

    /// The value of a key that must be there; reports it missing otherwise.
    func required(_ key: String, example: String) -> ConfigReader? {
        if let value = self[key] { return value }
        reader.report("missing required key `\(key)` (for example `\(example)`)")
        return nil
    }
}
