import AlertCore
import Testing

@testable import AlertConfig

/// `rules:` read from text, and the classifier behaving as the docs say.
@Suite struct RuleConfigTests {
    @Test func rulesOfSpecSection4() throws {
        let yaml = """
            rules:
              - name: node-down
                match: ['check = "node_down"', 'env != "dev"']
                severity: SEV1
                group_by: [host]
              - name: disks
                match: ['summary =~ "(?i).*disk.*(full|9[5-9]%).*"']
                severity: critical
                set_labels: { team: storage, area: disks, owner: ops }
              - name: ignore-dev
                match: ['env = "dev"']
                action: drop
              - name: tag-everything
                set_labels: { seen: "yes" }
            """
        let config = try #require(parsed(yaml))
        #expect(config.rules.map(\.name) == ["node-down", "disks", "ignore-dev", "tag-everything"])
        let nodeDown = config.rules[0]
        #expect(nodeDown.matchers.map(\.description) == [#"check = "node_down""#, #"env != "dev""#])
        #expect(nodeDown.severity == .sev1 && nodeDown.groupBy == ["host"] && nodeDown.action == nil)
        #expect(config.rules[1].severity == .sev1)
        #expect(config.rules[1].setLabels.map(\.key) == ["team", "area", "owner"])
        #expect(config.rules[1].setLabels.map(\.value) == ["storage", "disks", "ops"])
        #expect(config.rules[2].action == .drop && config.rules[2].severity == nil)
        #expect(config.rules[3].matchers.isEmpty && !config.rules[3].decides)

        let classifier = Classifier(rules: config.rules, defaultSeverity: config.defaultSeverity)
        var alert = Alert(check: "x", summary: "Disk /var is 97% full", host: "db-1")
        let outcome = classifier.classify(&alert)
        #expect(outcome.rule == "disks" && outcome.severity == .sev1)
        #expect(alert.labels["team"] == "storage")
    }

    @Test(arguments: [
        (#"{ name: r, match: ['check ~ "x"'], severity: SEV1 }"#, "rules[0].match[0]", "bad matcher 'check ~ \"x\"'"),
        (#"{ name: r, match: ['host =~ "("'], severity: SEV1 }"#, "rules[0].match[0]", "bad regular expression"),
        (#"{ name: r, match: ['2x = "a"'], severity: SEV1 }"#, "rules[0].match[0]", "expected a label name"),
        (#"{ name: r, match: 'check = "x"', severity: SEV1 }"#, "rules[0].match", "expected a list"),
        (#"{ name: r, severity: SEV9 }"#, "rules[0].severity", "unknown severity \"SEV9\""),
        (#"{ name: r, action: mute }"#, "rules[0].action", "the only action is `drop`"),
        (#"{ name: r, severity: SEV1, action: drop }"#, "rules[0]", "not both"),
        (#"{ name: r, match: [] }"#, "rules[0]", "the rule does nothing"),
        (#"{ match: [], severity: SEV2 }"#, "rules[0]", "missing required key `name`"),
        (#"{ name: "", severity: SEV2 }"#, "rules[0].name", "must not be empty"),
        (#"{ name: r, set_labels: { team-a: x } }"#, "rules[0].set_labels.team-a", "not a label name"),
        (#"{ name: r, set_labels: { team: [x] } }"#, "rules[0].set_labels.team", "expected a string"),
        (#"{ name: r, group_by: [] }"#, "rules[0].group_by", "at least one field"),
        (#"{ name: r, group_by: [host, "a b"] }"#, "rules[0].group_by[1]", "not a field or label name"),
        (#"{ name: r, severty: SEV1 }"#, "rules[0].severty", "did you mean `severity`?"),
    ])
    func badRules(entry: String, path: String, why: String) {
        let found = problems(in: "rules:\n  - \(entry)\n")
        #expect(found.map(\.path).contains(path), "\(found)")
        let problem = found.first { $0.path == path }
        #expect(problem?.message.contains(why) == true, "\(found)")
        #expect(problem?.line == 2)
    }

    @Test func matcherErrorIncludesMatcherErrorDescription() throws {
        let found = problems(in: "rules:\n  - name: r\n    match: ['env = \"dev']\n    action: drop\n")
        let problem = try #require(found.first)
        var expected = "(no error)"
        do throws(MatcherError) { _ = try Matcher(parsing: "env = \"dev") } catch { expected = error.description }
        #expect(problem.message.hasPrefix(expected))
        #expect(problem.line == 3 && problem.path == "rules[0].match[0]")
    }

    /// The "tag first, decide later" example of docs/configuration.md.
    @Test func documentedEvaluationOrder() throws {
        let yaml = """
            rules:
              - name: tag-db-hosts
                match: ['host =~ "db-.*"']
                set_labels: { team: dba }
                group_by: [host, check]
              - name: dba-pages-high
                match: ['team = "dba"', 'severity = "SEV3"']
                severity: SEV2
            """
        let config = try #require(parsed(yaml))
        let classifier = Classifier(rules: config.rules, defaultSeverity: config.defaultSeverity)
        var alert = Alert(check: "replication_lag", host: "db-2", severity: .sev3)
        let outcome = classifier.classify(&alert)
        #expect(outcome.rule == "dba-pages-high" && outcome.severity == .sev2)
        #expect(outcome.groupBy == ["host", "check"] && outcome.groupRule == "tag-db-hosts")
        #expect(alert.labels == ["team": "dba"])
    }

    @Test func duplicateRuleNamesInOneFile() {
        let yaml = """
            rules:
              - { name: a, severity: SEV1 }
              - { name: b, severity: SEV2 }
              - { name: a, severity: SEV3 }
            """
        let found = problems(in: yaml)
        #expect(found.count == 1)
        #expect(found.first?.path == "rules[2].name")
        #expect(found.first?.line == 4)
        #expect(found.first?.message.contains("already used by rules[0] (line 2)") == true)
    }

    @Test func everyRuleProblemIsReported() {
        let yaml = """
            rules:
              - { name: a, severity: SEV7 }
              - { name: b, action: keep }
              - { name: c, match: ['x =! "y"'], severity: SEV1 }
            """
        #expect(problems(in: yaml).map(\.line) == [2, 3, 4])
    }
}
