/// The outcome of classifying one alert.
public struct Classification: Sendable, Equatable {
    /// The rule that decided severity or dropped the alert, if any.
    public var rule: String?
    public var severity: Severity
    public var dropped: Bool
    /// Grouping fields and the rule that set them; nil groups by fingerprint.
    public var groupBy: [String]?
    public var groupRule: String?
    /// Sentences for `alertctl explain`.
    public var reasons: [String]
}

/// Ordered rules plus the default severity: a pure function from an alert to
/// its severity, labels and grouping.
public struct Classifier: Sendable {
    public var rules: [Rule] { didSet { sentences = Sentences(rules, defaultSeverity) } }
    public var defaultSeverity: Severity { didSet { sentences = Sentences(rules, defaultSeverity) } }
    private var sentences: Sentences

    public init(rules: [Rule], defaultSeverity: Severity = .sev3) {
        self.rules = rules
        self.defaultSeverity = defaultSeverity
        sentences = Sentences(rules, defaultSeverity)
    }

    /// Every reason `classify` gives but the rare syslog one, written once:
    /// each alert's reasons share these strings, so no text is built per
    /// alert, and a repeat's reasons compare equal to its fate's at once
    /// (same storage).
    private struct Sentences: Sendable {
        /// By rule, what it did when it matched.
        var byRule: [String]
        /// By the sender's severity (`rawValue - 1`).
        var senderSeverity: [String]
        var defaultApplies: String

        init(_ rules: [Rule], _ defaultSeverity: Severity) {
            byRule = rules.map { rule in
                if rule.action == .drop { return "rule \"\(rule.name)\" matched and drops it" }
                if let severity = rule.severity { return "rule \"\(rule.name)\" matched and set severity \(severity)" }
                return "rule \"\(rule.name)\" matched and added labels/grouping; evaluation went on"
            }
            senderSeverity = Severity.allCases.map { "no rule decided; the sender's severity \($0) stands" }
            defaultApplies = "no rule decided and the sender gave no severity; default_severity \(defaultSeverity) applies"
        }
    }

    /// Classifies `alert`, adding each matching rule's `set_labels` to it in
    /// place (so later rules can match on them).
    public func classify(_ alert: inout Alert) -> Classification {
        var reasons: [String] = []
        var groupBy: [String]?
        var groupRule: String?
        for (index, rule) in rules.enumerated() where rule.matches(alert) {
            for (key, value) in rule.setLabels { alert.labels[key] = value }
            if let by = rule.groupBy {
                groupBy = by
                groupRule = rule.name
            }
            reasons.append(sentences.byRule[index])
            if rule.action == .drop {
                return Classification(
                    rule: rule.name, severity: alert.severity ?? defaultSeverity, dropped: true,
                    groupBy: groupBy, groupRule: groupRule, reasons: reasons)
            }
            if let severity = rule.severity {
                return Classification(
                    rule: rule.name, severity: severity, dropped: false,
                    groupBy: groupBy, groupRule: groupRule, reasons: reasons)
            }
        }
        // Syslog info and debug are chatter unless a rule asks for them (SPEC §2).
        if alert.format == "syslog", let level = alert.labels["syslog_severity"], level == "info" || level == "debug" {
            reasons.append("syslog \(level) and no rule decided: dropped (write a rule matching it to keep it)")
            return Classification(
                rule: nil, severity: defaultSeverity, dropped: true, groupBy: groupBy, groupRule: groupRule, reasons: reasons)
        }
        let severity: Severity
        if let given = alert.severity {
            severity = given
            reasons.append(sentences.senderSeverity[given.rawValue - 1])
        } else {
            severity = defaultSeverity
            reasons.append(sentences.defaultApplies)
        }
        return Classification(
            rule: nil, severity: severity, dropped: false, groupBy: groupBy, groupRule: groupRule, reasons: reasons)
    }
}
