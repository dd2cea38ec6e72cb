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
    public var rules: [Rule]
    public var defaultSeverity: Severity

    public init(rules: [Rule], defaultSeverity: Severity = .sev3) {
        self.rules = rules
        self.defaultSeverity = defaultSeverity
    }

    /// Classifies `alert`, adding each matching rule's `set_labels` to it in
    /// place (so later rules can match on them).
    public func classify(_ alert: inout Alert) -> Classification {
        var reasons: [String] = []
        var groupBy: [String]?
        var groupRule: String?
        for rule in rules where rule.matches(alert) {
            for (key, value) in rule.setLabels { alert.labels[key] = value }
            if let by = rule.groupBy {
                groupBy = by
                groupRule = rule.name
            }
            if rule.action == .drop {
                reasons.append("rule \"\(rule.name)\" matched and drops it")
                return Classification(
                    rule: rule.name, severity: alert.severity ?? defaultSeverity, dropped: true,
                    groupBy: groupBy, groupRule: groupRule, reasons: reasons)
            }
            if let severity = rule.severity {
                reasons.append("rule \"\(rule.name)\" matched and set severity \(severity)")
                return Classification(
                    rule: rule.name, severity: severity, dropped: false,
                    groupBy: groupBy, groupRule: groupRule, reasons: reasons)
            }
            reasons.append("rule \"\(rule.name)\" matched and added labels/grouping; evaluation went on")
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
            reasons.append("no rule decided; the sender's severity \(given) stands")
        } else {
            severity = defaultSeverity
            reasons.append("no rule decided and the sender gave no severity; default_severity \(defaultSeverity) applies")
        }
        return Classification(
            rule: nil, severity: severity, dropped: false, groupBy: groupBy, groupRule: groupRule, reasons: reasons)
    }
}
