import Foundation
import Testing

@testable import AlertCore

@Suite("Classifier")
struct ClassifierTests {
    /// The example rules of SPEC §4.
    static func specRules() throws -> Classifier {
        Classifier(rules: [
            Rule(
                name: "node-down", matchers: try parseMatchers(#"check = "node_down""#, #"env != "dev""#),
                severity: .sev1, groupBy: ["host"]),
            Rule(
                name: "disks", matchers: try parseMatchers(#"summary =~ "(?i).*disk.*(full|9[5-9]%).*""#),
                severity: .sev2, setLabels: [("team", "storage")]),
            Rule(name: "ignore-dev", matchers: try parseMatchers(#"env = "dev""#), action: .drop),
        ])
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var alert: Alert
        var rule: String?
        var severity: Severity
        var dropped: Bool
        var testDescription: String {
            "\(alert.check) \(alert.labels) → \(rule ?? "no rule") \(severity)\(dropped ? " dropped" : "")"
        }
    }

    @Test(
        "SPEC §4 example rules",
        arguments: [
            Case(
                alert: Alert(check: "node_down", host: "node-7", labels: ["env": "prod"]), rule: "node-down",
                severity: .sev1, dropped: false),
            Case(alert: Alert(check: "node_down", host: "node-7"), rule: "node-down", severity: .sev1, dropped: false),
            Case(
                alert: Alert(check: "node_down", host: "dev-1", labels: ["env": "dev"]), rule: "ignore-dev",
                severity: .sev3, dropped: true),
            Case(
                alert: Alert(check: "fs", summary: "Disk / is 97% full"), rule: "disks", severity: .sev2, dropped: false
            ),
            Case(
                alert: Alert(check: "fs", summary: "DISK FULL on /var"), rule: "disks", severity: .sev2, dropped: false),
            Case(
                alert: Alert(check: "fs", summary: "disk at 80%", severity: .sev4), rule: nil, severity: .sev4,
                dropped: false),
            Case(alert: Alert(check: "fs", summary: "disk at 80%"), rule: nil, severity: .sev3, dropped: false),
            Case(
                alert: Alert(check: "fs", summary: "disk full", labels: ["env": "dev"]), rule: "disks", severity: .sev2,
                dropped: false),
        ])
    func specExample(_ example: Case) throws {
        var alert = example.alert
        let result = try Self.specRules().classify(&alert)
        #expect(result.rule == example.rule)
        #expect(result.severity == example.severity)
        #expect(result.dropped == example.dropped)
    }

    @Test("the first deciding rule wins")
    func firstDecidingRuleWins() throws {
        let classifier = Classifier(rules: [
            Rule(name: "web", matchers: try parseMatchers(#"host =~ "web.*""#), severity: .sev4),
            Rule(name: "disk", matchers: try parseMatchers(#"check = "disk_full""#), severity: .sev2),
            Rule(name: "db", matchers: try parseMatchers(#"host =~ "db.*""#), severity: .sev1),
        ])
        var alert = Alert(check: "disk_full", host: "db-1")
        let result = classifier.classify(&alert)
        #expect(result.rule == "disk")
        #expect(result.severity == .sev2)
        #expect(!result.dropped)
    }

    @Test("a rule matches only when all its matchers hold")
    func allMatchersMustHold() throws {
        let classifier = Classifier(rules: [
            Rule(
                name: "prod-disk", matchers: try parseMatchers(#"check = "disk_full""#, #"env = "prod""#),
                severity: .sev1)
        ])
        var staging = Alert(check: "disk_full", labels: ["env": "staging"])
        #expect(classifier.classify(&staging).rule == nil)
        var prod = Alert(check: "disk_full", labels: ["env": "prod"])
        #expect(classifier.classify(&prod).rule == "prod-disk")
    }

    @Test("set_labels of a non-deciding rule are added and later rules can match them")
    func setLabelsFeedLaterRules() throws {
        let classifier = Classifier(rules: [
            Rule(
                name: "dba-hosts", matchers: try parseMatchers(#"host =~ "db.*""#),
                setLabels: [("team", "dba"), ("tier", "data")]),
            Rule(name: "dba-pages", matchers: try parseMatchers(#"team = "dba""#), severity: .sev1),
        ])
        var alert = Alert(check: "disk_full", host: "db-1", labels: ["env": "prod"])
        let result = classifier.classify(&alert)
        #expect(result.rule == "dba-pages")
        #expect(result.severity == .sev1)
        #expect(alert.labels == ["env": "prod", "team": "dba", "tier": "data"])

        var web = Alert(check: "disk_full", host: "web-1")
        #expect(classifier.classify(&web).rule == nil)
        #expect(web.labels.isEmpty)
    }

    @Test("set_labels overwrite a label the sender gave")
    func setLabelsOverwrite() throws {
        let classifier = Classifier(rules: [
            Rule(
                name: "storage", matchers: try parseMatchers(#"check = "disk_full""#), severity: .sev2,
                setLabels: [("team", "storage")])
        ])
        var alert = Alert(check: "disk_full", labels: ["team": "web"])
        _ = classifier.classify(&alert)
        #expect(alert.labels["team"] == "storage")
    }

    @Test("rules after the deciding one are not evaluated")
    func stopsAtDecidingRule() throws {
        let classifier = Classifier(rules: [
            Rule(name: "decide", matchers: try parseMatchers(#"check = "x""#), severity: .sev2),
            Rule(
                name: "late", matchers: try parseMatchers(#"check = "x""#), setLabels: [("late", "yes")],
                groupBy: ["host"]),
        ])
        var alert = Alert(check: "x")
        let result = classifier.classify(&alert)
        #expect(result.rule == "decide")
        #expect(alert.labels["late"] == nil)
        #expect(result.groupBy == nil)
    }

    @Test("group_by comes from the last matching rule that sets it")
    func groupByFromLastMatchingRule() throws {
        let classifier = Classifier(rules: [
            Rule(name: "by-host", matchers: try parseMatchers(#"host =~ ".+""#), groupBy: ["host"]),
            Rule(name: "by-check", matchers: try parseMatchers(#"check = "disk_full""#), groupBy: ["check", "host"]),
            Rule(name: "unmatched", matchers: try parseMatchers(#"check = "other""#), groupBy: ["env"]),
            Rule(name: "no-grouping", matchers: try parseMatchers(#"env = "prod""#), setLabels: [("seen", "1")]),
            Rule(name: "decide", matchers: try parseMatchers(#"check = "disk_full""#), severity: .sev2),
        ])
        var alert = Alert(check: "disk_full", host: "node-7", labels: ["env": "prod"])
        let result = classifier.classify(&alert)
        #expect(result.rule == "decide")
        #expect(result.groupBy == ["check", "host"])
        #expect(result.groupRule == "by-check")
    }

    @Test("a deciding rule's own group_by counts")
    func groupByOnDecidingRule() throws {
        let classifier = Classifier(rules: [
            Rule(name: "by-host", matchers: try parseMatchers(#"host =~ ".+""#), groupBy: ["host"]),
            Rule(
                name: "node-down", matchers: try parseMatchers(#"check = "node_down""#), severity: .sev1,
                groupBy: ["source"]),
        ])
        var alert = Alert(check: "node_down", host: "node-7")
        let result = classifier.classify(&alert)
        #expect(result.groupBy == ["source"])
        #expect(result.groupRule == "node-down")
    }

    @Test("no grouping rule means group by fingerprint")
    func noGroupBy() {
        var alert = Alert(check: "disk_full")
        let result = Classifier(rules: []).classify(&alert)
        #expect(result.groupBy == nil)
        #expect(result.groupRule == nil)
    }

    @Test("action drop drops, names the rule and ends evaluation")
    func drop() throws {
        let classifier = Classifier(rules: [
            Rule(name: "ignore-dev", matchers: try parseMatchers(#"env = "dev""#), action: .drop),
            Rule(name: "everything", matchers: try parseMatchers(#"check =~ ".*""#), severity: .sev1),
        ])
        var alert = Alert(check: "disk_full", labels: ["env": "dev"])
        let result = classifier.classify(&alert)
        #expect(result.dropped)
        #expect(result.rule == "ignore-dev")
        #expect(result.reasons.contains { $0.contains("\"ignore-dev\"") && $0.contains("drop") })

        var prod = Alert(check: "disk_full", labels: ["env": "prod"])
        let kept = classifier.classify(&prod)
        #expect(!kept.dropped)
        #expect(kept.rule == "everything")
    }

    @Test("the sender's severity stands when no rule decides", arguments: Severity.allCases)
    func senderSeverityStands(severity: Severity) throws {
        let classifier = Classifier(
            rules: [
                Rule(
                    name: "labels-only", matchers: try parseMatchers(#"check = "disk_full""#),
                    setLabels: [("team", "storage")]),
                Rule(name: "other", matchers: try parseMatchers(#"check = "node_down""#), severity: .sev1),
            ], defaultSeverity: .sev4)
        var alert = Alert(check: "disk_full", severity: severity)
        let result = classifier.classify(&alert)
        #expect(result.rule == nil)
        #expect(result.severity == severity)
        #expect(!result.dropped)
        #expect(alert.labels["team"] == "storage")
        #expect(result.reasons.contains { $0.contains("\"labels-only\"") })
        #expect(result.reasons.last?.contains("sender's severity \(severity)") == true)
    }

    @Test("default_severity applies when no rule decides and the sender gave none", arguments: Severity.allCases)
    func defaultSeverity(severity: Severity) {
        var alert = Alert(check: "disk_full")
        let result = Classifier(rules: [], defaultSeverity: severity).classify(&alert)
        #expect(result.severity == severity)
        #expect(result.rule == nil)
        #expect(result.reasons.last?.contains("default_severity \(severity)") == true)
    }

    @Test("default_severity defaults to SEV3")
    func defaultSeverityIsSEV3() {
        var alert = Alert(check: "disk_full")
        #expect(Classifier(rules: []).classify(&alert).severity == .sev3)
    }

    @Test("a rule's severity overrides the sender's")
    func ruleOverridesSender() throws {
        let classifier = Classifier(rules: [
            Rule(name: "downgrade-info", matchers: try parseMatchers(#"check = "cpu_high""#), severity: .sev4)
        ])
        var alert = Alert(check: "cpu_high", severity: .sev1)
        let result = classifier.classify(&alert)
        #expect(result.severity == .sev4)
        #expect(alert.severity == .sev1, "the alert keeps what the sender said")
    }

    @Test("rules can match on the sender's severity")
    func matchesSenderSeverity() throws {
        let classifier = Classifier(rules: [
            Rule(name: "drop-low", matchers: try parseMatchers(#"severity = "SEV4""#), action: .drop)
        ])
        var low = Alert(check: "x", severity: Severity(parsing: "info"))
        #expect(classifier.classify(&low).dropped)
        var high = Alert(check: "x", severity: .sev2)
        #expect(!classifier.classify(&high).dropped)
    }

    @Test("reasons tell the story rule by rule")
    func reasons() throws {
        let classifier = Classifier(rules: [
            Rule(name: "tag-db", matchers: try parseMatchers(#"host =~ "db.*""#), setLabels: [("team", "dba")]),
            Rule(name: "skipped", matchers: try parseMatchers(#"check = "nothing""#), severity: .sev1),
            Rule(name: "dba", matchers: try parseMatchers(#"team = "dba""#), severity: .sev2),
        ])
        var alert = Alert(check: "disk_full", host: "db-1")
        let result = classifier.classify(&alert)
        #expect(result.reasons.count == 2)
        #expect(result.reasons.first?.contains("\"tag-db\"") == true)
        #expect(result.reasons.last?.contains("\"dba\"") == true)
        #expect(result.reasons.last?.contains("SEV2") == true)
        #expect(!result.reasons.joined().contains("skipped"))
    }
}
