import AlertCore

/// `rules:` (SPEC §4). Names are checked for uniqueness later, across all
/// files, by `ConfigLoader`.
extension ConfigDocument {
    static let ruleKeys = ["name", "match", "severity", "action", "set_labels", "group_by"]

    static func rules(_ reader: ConfigReader) -> [LocatedRule] {
        guard let entries = reader.list() else { return [] }
        return entries.compactMap { entry in
            guard let rule = rule(entry) else { return nil }
            let mark = entry.node.mapping?["name"]?.mark ?? entry.mark
            return LocatedRule(rule: rule, file: entry.file, path: entry.path, line: mark?.line, column: mark?.column)
        }
    }

    /// One rule; nil (after reporting) when any part of it is wrong.
    static func rule(_ reader: ConfigReader) -> Rule? {
        guard let entry = reader.mapping(allowedKeys: ruleKeys) else { return nil }
        var valid = true
        func read<Value>(_ key: String, _ parse: (ConfigReader) -> Value?) -> Value? {
            guard let value = entry[key] else { return nil }
            let parsed = parse(value)
            valid = valid && parsed != nil
            return parsed
        }
        let name = entry.required("name", example: "name: node-down").flatMap { $0.nonEmptyString() }
        let matchers = read("match", Self.matchers) ?? []
        let severity = read("severity") { $0.severity() }
        let action = read("action", Self.action)
        let setLabels = read("set_labels", Self.setLabels) ?? []
        let groupBy = read("group_by", Self.groupBy)

        if entry.contains("severity"), entry.contains("action") {
            reader.report(
                "a rule has either `severity` (classify and stop) or `action: drop` (drop and stop), not both")
            valid = false
        }
        // With a rejected key (say `severty`) that problem already says what is wrong.
        if entry.present(["severity", "action", "set_labels", "group_by"]).isEmpty, entry.rejectedKeyCount == 0 {
            reader.report("the rule does nothing; give it `severity`, `action: drop`, `set_labels` or `group_by`")
            valid = false
        }
        guard valid, let name else { return nil }
        return Rule(
            name: name, matchers: matchers, severity: severity, action: action, setLabels: setLabels,
            groupBy: groupBy)
    }

    /// `match:`; an empty or absent list matches every alert.
    static func matchers(_ reader: ConfigReader) -> [Matcher]? {
        guard let elements = reader.list() else { return nil }
        let matchers = elements.compactMap { $0.matcher() }
        return matchers.count == elements.count ? matchers : nil
    }

    static func action(_ reader: ConfigReader) -> Rule.Action? {
        guard let text = reader.scalarText(expecting: "drop") else { return nil }
        guard let action = Rule.Action(rawValue: text) else {
            reader.report("unknown action \"\(text)\"; the only action is `drop` (use `severity:` to classify)")
            return nil
        }
        return action
    }

    /// `set_labels:`, kept in the order written.
    static func setLabels(_ reader: ConfigReader) -> [(key: String, value: String)]? {
        guard let pairs = reader.pairs() else { return nil }
        var labels: [(key: String, value: String)] = []
        for (key, keyMark, valueReader) in pairs {
            guard ValueSyntax.isLabelName(key) else {
                valueReader.report("\"\(key)\" is not a label name; use letters, digits and _", at: keyMark)
                continue
            }
            if let value = valueReader.string() { labels.append((key, value)) }
        }
        return labels.count == pairs.count ? labels : nil
    }

    /// `group_by:`: field or label names; at least one.
    static func groupBy(_ reader: ConfigReader) -> [String]? {
        guard let elements = reader.list() else { return nil }
        guard !elements.isEmpty else {
            reader.report("name at least one field or label, e.g. [host]; leave `group_by` out to group by fingerprint")
            return nil
        }
        var names: [String] = []
        for element in elements {
            guard let name = element.string() else { continue }
            guard ValueSyntax.isLabelName(name) else {
                element.report("\"\(name)\" is not a field or label name; use letters, digits and _")
                continue
            }
            names.append(name)
        }
        return names.count == elements.count ? names : nil
    }
}
