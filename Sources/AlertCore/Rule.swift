/// One classification rule (SPEC §4). Rules are evaluated in order; the first
/// matching rule with a `severity` or `action: drop` decides, and rules
/// without either only add labels and grouping and let evaluation go on.
public struct Rule: Sendable {
    public enum Action: String, Sendable { case drop }

    public var name: String
    public var matchers: [Matcher]
    public var severity: Severity?
    public var action: Action?
    /// Labels added when the rule matches, in the order written.
    public var setLabels: [(key: String, value: String)]
    /// Fields/labels whose values group alerts into one incident.
    public var groupBy: [String]?

    public init(
        name: String, matchers: [Matcher], severity: Severity? = nil, action: Action? = nil,
        setLabels: [(key: String, value: String)] = [], groupBy: [String]? = nil
    ) {
        self.name = name
        self.matchers = matchers
        self.severity = severity
        self.action = action
        self.setLabels = setLabels
        self.groupBy = groupBy
    }

    /// Whether this rule ends evaluation when it matches.
    public var decides: Bool { severity != nil || action != nil }

    public func matches(_ alert: Alert) -> Bool { matchers.allSatisfy { $0.matches(alert) } }
}
