import Yams

/// A cursor over one YAML node: knows its file and key path, reads the node
/// as a typed value, and reports what is wrong instead of throwing, so one
/// pass finds every problem. A read that fails returns nil after reporting.
struct ConfigReader {
    let node: Node
    /// Key path from the document root, e.g. `rules[2].match[0]`.
    let path: String
    let file: String
    let log: ProblemLog

    var mark: Mark? { node.mark }

    /// Reports a problem at this node (or at `mark`, e.g. a key's position).
    func report(_ message: String, path: String? = nil, at mark: Mark? = nil) {
        let place = mark ?? node.mark
        log.add(
            ConfigProblem(
                file: file, line: place?.line, column: place?.column, path: path ?? self.path, message: message))
    }

    func child(_ node: Node, key: String) -> ConfigReader {
        ConfigReader(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file, log: log)
    }

    func element(_ node: Node, index: Int) -> ConfigReader {
        ConfigReader(node: node, path: "\(path)[\(index)]", file: file, log: log)
    }

    /// `key:` with nothing after it, `~` or `null`.
    var isNull: Bool {
        guard case .scalar(let scalar) = node else { return false }
        return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The node's kind in words, for "expected …, found …" messages.
    var kindDescription: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar):
            if isNull { return "no value" }
            return "\"\(scalar.string)\""
        }
    }

    // MARK: Containers

    /// Reads a mapping whose keys must all be in `allowedKeys`; reports every
    /// other key. A null node reads as an empty mapping (`limits:` alone).
    ///
    /// - Parameters:
    ///   - unsupportedKeys: keys of features this version does not have yet,
    ///     reported as such rather than as typos.
    ///   - misplacedKeys: keys that belong elsewhere, with the sentence that
    ///     says where.
    func mapping(
        allowedKeys: [String], unsupportedKeys: [String] = [], misplacedKeys: [String: String] = [:]
    ) -> ConfigMapping? {
        if isNull { return ConfigMapping(reader: self, entries: [:]) }
        guard case .mapping(let mapping) = node else {
            report("expected a mapping of \(KeySuggester.list(allowedKeys)), found \(kindDescription)")
            return nil
        }
        var entries: [String: ConfigMapping.Entry] = [:]
        var rejected = 0
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                report("keys must be plain names like \(allowedKeys.first ?? "name")", at: keyNode.mark)
                rejected += 1
                continue
            }
            let key = keyScalar.string
            let keyPath = child(valueNode, key: key).path
            if allowedKeys.contains(key) {
                entries[key] = ConfigMapping.Entry(keyMark: keyNode.mark, value: child(valueNode, key: key))
                continue
            }
            rejected += 1
            if unsupportedKeys.contains(key) {
                report("`\(key)` is not supported by this version of alertd yet", path: keyPath, at: keyNode.mark)
            } else if let whereItBelongs = misplacedKeys[key] {
                report(whereItBelongs, path: keyPath, at: keyNode.mark)
            } else {
                report(KeySuggester.unknownKeyMessage(key, allowed: allowedKeys), path: keyPath, at: keyNode.mark)
            }
        }
        return ConfigMapping(reader: self, entries: entries, rejectedKeyCount: rejected)
    }

    /// Reads a mapping with keys of the user's choosing (`set_labels`), in
    /// the order written. A null node reads as empty.
    func pairs() -> [(key: String, keyMark: Mark?, value: ConfigReader)]? {
        if isNull { return [] }
        guard case .mapping(let mapping) = node else {
            report("expected a mapping like { name: value }, found \(kindDescription)")
            return nil
        }
        var result: [(key: String, keyMark: Mark?, value: ConfigReader)] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                report("keys must be plain names", at: keyNode.mark)
                continue
            }
            result.append((keyScalar.string, keyNode.mark, child(valueNode, key: keyScalar.string)))
        }
        return result
    }

    /// Reads a list, one reader per element. A null node reads as empty.
    func list() -> [ConfigReader]? {
        if isNull { return [] }
        guard case .sequence(let sequence) = node else {
            report("expected a list (`- item` lines or `[a, b]`), found \(kindDescription)")
            return nil
        }
        return sequence.enumerated().map { element($1, index: $0) }
    }

    /// Reads a list of strings, reporting each element that is not one.
    func stringList() -> [String]? {
        guard let elements = list() else { return nil }
        let strings = elements.compactMap { $0.string() }
        return strings.count == elements.count ? strings : nil
    }

    // MARK: Scalars

    /// The scalar's text as written (`123` reads as "123").
    func string() -> String? {
        guard case .scalar(let scalar) = node, !isNull else {
            report("expected a string, found \(kindDescription)")
            return nil
        }
        return scalar.string
    }

    /// A string that is not empty (paths, names).
    func nonEmptyString() -> String? {
        guard let text = string() else { return nil }
        guard !text.isEmpty else {
            report("must not be empty")
            return nil
        }
        return text
    }

    func int(atLeast minimum: Int) -> Int? {
        guard let text = scalarText(expecting: "a whole number") else { return nil }
        guard let value = Int(text) else {
            report("expected a whole number, found \"\(text)\"")
            return nil
        }
        guard value >= minimum else {
            report("must be at least \(minimum), found \(value)")
            return nil
        }
        return value
    }

    func bool() -> Bool? {
        guard let text = scalarText(expecting: "true or false") else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            report("expected true or false, found \"\(text)\"")
            return nil
        }
    }

    /// One of an enum's raw values, e.g. `log.level`.
    func oneOf<Value: RawRepresentable & CaseIterable>(_: Value.Type) -> Value? where Value.RawValue == String {
        guard let text = scalarText(expecting: "a word") else { return nil }
        if let value = Value(rawValue: text.lowercased()) { return value }
        let allowed = Value.allCases.map(\.rawValue)
        report("unknown value \"\(text)\"; use one of \(allowed.joined(separator: ", "))")
        return nil
    }

    /// The text of a plain or quoted scalar; reports other node kinds.
    func scalarText(expecting expected: String) -> String? {
        guard case .scalar(let scalar) = node, !isNull else {
            report("expected \(expected), found \(kindDescription)")
            return nil
        }
        return scalar.string.trimmingWhitespace
    }
}

extension String {
    var trimmingWhitespace: String {
        var text = Substring(self)
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return String(text)
    }
}
