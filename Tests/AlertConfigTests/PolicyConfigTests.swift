import AlertCore
import Foundation
import Testing

@testable import AlertConfig

/// `policies:` and `business_hours:` read from text (SPEC §5).
@Suite struct PolicyConfigTests {
    @Test func noPagingSectionsMeansEmbeddedDefaults() throws {
        let config = try #require(parsed("# nothing set\n"))
        #expect(config.policies.isEmpty)
        #expect(config.receivers == ReceiverConfig.embeddedDefaults)
        #expect(config.businessHours == .default)
        for severity in Severity.allCases {
            #expect(config.policy(for: severity) == Policy.embeddedDefault(for: severity))
        }
    }

    @Test func policiesOfSpecSection5() throws {
        let yaml = """
            policies:
              SEV1:
                ack_within: 15m
                steps:
                  - notify: [oncall]
                  - after: 15m
                    notify: [eng-manager]
                  - after: 30m
                    notify: [director, execs]
                update_every: 30m
                postmortem_within: 48h
              P2: { ack_within: 30m, steps: [{notify: [oncall]}, {after: 30m, notify: [eng-manager]}], postmortem_within: 48h }
              warning: { ack_within: 24h, steps: [{notify: [oncall]}], business_hours_only: true }
            receivers:
              director: [ { log: {} } ]
              execs: [ { log: {} } ]
            """
        let config = try #require(parsed(yaml))
        #expect(Set(config.policies.keys) == [.sev1, .sev2, .sev3])
        #expect(
            config.policies[.sev1]
                == Policy(
                    ackWithin: 900,
                    steps: [
                        EscalationStep(notify: ["oncall"]), EscalationStep(after: 900, notify: ["eng-manager"]),
                        EscalationStep(after: 1800, notify: ["director", "execs"]),
                    ],
                    updateEvery: 1800, postmortemWithin: 48 * 3600))
        #expect(config.policies[.sev2] == Policy.embeddedDefault(for: .sev2))
        #expect(config.policies[.sev3] == Policy.embeddedDefault(for: .sev3))
        // SEV4 is not configured: its embedded policy, and its `ticket` receiver, stay.
        #expect(config.policy(for: .sev4) == Policy.embeddedDefault(for: .sev4))
        #expect(config.receivers["ticket"] == ReceiverConfig(name: "ticket", channels: [.log]))
    }

    @Test func equalAftersAndEmbeddedReceiverNamesAreFine() throws {
        let yaml = """
            policies:
              SEV4:
                ack_within: 1h
                steps: [{ after: 5m, notify: [ticket] }, { after: 5m, notify: [oncall, eng-manager] }]
                business_hours_only: no
            """
        let config = try #require(parsed(yaml))
        #expect(config.policies[.sev4]?.steps.map(\.after) == [300, 300])
        #expect(config.policies[.sev4]?.businessHoursOnly == false)
        #expect(config.policies[.sev4]?.updateEvery == nil)
    }

    static let step = "steps: [{ notify: [oncall] }]"

    @Test(arguments: [
        ("SEV5: { ack_within: 1m, \(step) }", "policies.SEV5", "unknown severity \"SEV5\"; policies are keyed by"),
        ("SEV1: { \(step) }", "policies.SEV1", "missing required key `ack_within`"),
        ("SEV1: { ack_within: 15m }", "policies.SEV1", "missing required key `steps`"),
        ("SEV1: { ack_within: 0s, \(step) }", "policies.SEV1.ack_within", "longer than 0s"),
        ("SEV1: { ack_within: 15, \(step) }", "policies.SEV1.ack_within", "has no unit"),
        ("SEV1: { ack_within: 1m, steps: [] }", "policies.SEV1.steps", "at least one step"),
        ("SEV1: { ack_within: 1m, steps: { notify: [oncall] } }", "policies.SEV1.steps", "expected a list"),
        ("SEV1: { ack_within: 1m, steps: [{ after: 5m }] }", "policies.SEV1.steps[0]", "missing required key `notify`"),
        ("SEV1: { ack_within: 1m, steps: [{ notify: [] }] }", "policies.SEV1.steps[0].notify", "at least one receiver"),
        ("SEV1: { ack_within: 1m, steps: [{ notify: oncall }] }", "policies.SEV1.steps[0].notify", "expected a list"),
        ("SEV1: { ack_within: 1m, steps: [{ notify: [oncal] }] }", "policies.SEV1.steps[0].notify[0]",
         "unknown receiver \"oncal\"; did you mean \"oncall\"? (define it under `receivers:`; defined: eng-manager, "),
        ("SEV1: { ack_within: 1m, steps: [{ notify: [oncall, oncall] }] }", "policies.SEV1.steps[0].notify[1]",
         "already named in this step"),
        ("SEV1: { ack_within: 1m, steps: [{ after: 30m, notify: [oncall] }, { after: 15m, notify: [ticket] }] }",
         "policies.SEV1.steps[1].after", "`after` is 15m, earlier than policies.SEV1.steps[0] (30m)"),
        ("SEV1: { ack_within: 1m, steps: [{ after: 5m, notify: [oncall] }, { notify: [ticket] }] }",
         "policies.SEV1.steps[1]", "`after` is 0s, earlier than"),
        ("SEV1: { ack_within: 1m, steps: [{ after: soon, notify: [oncall] }] }", "policies.SEV1.steps[0].after",
         "not a duration"),
        ("SEV1: { ack_within: 1m, steps: [{ notify: [oncall], wait: 5m }] }", "policies.SEV1.steps[0].wait",
         "unknown key `wait`"),
        ("SEV1: { ack_within: 1m, notify: [oncall], \(step) }", "policies.SEV1.notify",
         "belongs in an escalation step"),
        ("SEV1: { ack_witin: 1m, ack_within: 1m, \(step) }", "policies.SEV1.ack_witin", "did you mean `ack_within`?"),
        ("SEV1: { ack_within: 1m, \(step), update_every: 0s }", "policies.SEV1.update_every", "longer than 0s"),
        ("SEV1: { ack_within: 1m, \(step), postmortem_within: 2 days }", "policies.SEV1.postmortem_within",
         "not a duration"),
        ("SEV1: { ack_within: 1m, \(step), business_hours_only: maybe }", "policies.SEV1.business_hours_only",
         "true or false"),
        ("SEV1: { ack_within: 1m, \(step) }\n  P1: { ack_within: 1m, \(step) }", "policies.P1",
         "`P1` is SEV1, which `SEV1` (line 2) already configures"),
        ("SEV1: [oncall]", "policies.SEV1", "expected a mapping of `ack_within`"),
    ])
    func badPolicies(entry: String, path: String, why: String) {
        let found = problems(in: "policies:\n  \(entry)\n")
        #expect(found.map(\.path) == [path], "\(found)")
        #expect(found.first?.message.contains(why) == true, "\(found)")
        #expect(found.first?.line != nil)
    }

    @Test func policiesMustBeAMapping() {
        let found = problems(in: "policies: [SEV1]\n")
        #expect(found.map(\.path) == ["policies"])
        #expect(found.first?.message.contains("expected a mapping") == true)
    }

    /// A receiver that is defined but wrong is reported once, not again by
    /// every policy naming it.
    @Test func brokenReceiverIsNotAlsoUnknown() {
        let yaml = """
            policies:
              SEV1: { ack_within: 1m, steps: [{ notify: [pager] }] }
            receivers:
              pager: [ { webhook: { url: "not a url" } } ]
            """
        #expect(problems(in: yaml).map(\.path) == ["receivers.pager[0].webhook.url"])
    }

    @Test func everyProblemOfAPolicyIsReported() {
        let yaml = """
            policies:
              SEV2:
                ack_within: never
                steps:
                  - notify: [nobody]
                  - after: 1x
                    notify: []
            """
        let found = problems(in: yaml)
        #expect(
            found.map(\.path) == [
                "policies.SEV2.ack_within", "policies.SEV2.steps[0].notify[0]", "policies.SEV2.steps[1].after",
                "policies.SEV2.steps[1].notify",
            ])
        #expect(found.map(\.line) == [3, 5, 6, 7])
    }

    // MARK: Business hours

    @Test func businessHoursOfSpecSection5() throws {
        let yaml = """
            business_hours: { timezone: Europe/Amsterdam, days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00" }
            """
        let hours = try #require(parsed(yaml)).businessHours
        #expect(hours.timeZone.identifier == "Europe/Amsterdam")
        #expect(hours.days == [.mon, .tue, .wed, .thu, .fri])
        #expect(hours.start == 9 * 60 && hours.end == 17 * 60)
    }

    @Test(arguments: [
        ("{}", BusinessHours.default),
        ("{ timezone: UTC }", BusinessHours.default),
        ("{ days: [Saturday, SUN], start: \"7:30\", end: \"24:00\" }",
         BusinessHours(timeZone: BusinessHours.default.timeZone, days: [.sat, .sun], start: 450, end: 1440)),
        ("{ start: \"00:00\", end: \"08:15\" }",
         BusinessHours(timeZone: BusinessHours.default.timeZone, days: BusinessHours.default.days, start: 0, end: 495)),
        ("{ timezone: America/New_York, days: [wed] }",
         BusinessHours(timeZone: TimeZone(identifier: "America/New_York")!, days: [.wed], start: 540, end: 1020)),
    ])
    func goodBusinessHours(section: String, expected: BusinessHours) throws {
        #expect(try #require(parsed("business_hours: \(section)\n")).businessHours == expected)
    }

    @Test(arguments: [
        ("{ timezone: Mars/Olympus_Mons }", "business_hours.timezone", "unknown time zone \"Mars/Olympus_Mons\""),
        ("{ timezone: europe/amsterdam }", "business_hours.timezone", "did you mean Europe/Amsterdam?"),
        ("{ timezone: [UTC] }", "business_hours.timezone", "expected a time zone"),
        ("{ days: [] }", "business_hours.days", "at least one day"),
        ("{ days: mon }", "business_hours.days", "expected a list"),
        ("{ days: [mon, tue, Mon] }", "business_hours.days[2]", "mon is already listed"),
        ("{ days: [mon, funday] }", "business_hours.days[1]", "unknown day \"funday\""),
        ("{ start: 9am }", "business_hours.start", "\"9am\" is not a time of day"),
        ("{ end: \"25:00\" }", "business_hours.end", "not a time of day"),
        ("{ end: \"17:60\" }", "business_hours.end", "not a time of day"),
        ("{ start: \"17:00\", end: \"09:00\" }", "business_hours.end",
         "`end` (09:00) must be later than `start` (17:00)"),
        ("{ start: \"17:00\" }", "business_hours.start", "`end` (17:00) must be later than `start` (17:00)"),
        ("{ time_zone: UTC }", "business_hours.time_zone", "did you mean `timezone`?"),
        ("[mon]", "business_hours", "expected a mapping of `timezone`, `days`, `start` or `end`"),
    ])
    func badBusinessHours(section: String, path: String, why: String) {
        let found = problems(in: "business_hours: \(section)\n")
        #expect(found.map(\.path) == [path], "\(found)")
        #expect(found.first?.message.contains(why) == true, "\(found)")
        #expect(found.first?.line == 1)
    }
}
