import AlertCore
import Foundation
import Testing

@testable import AlertConfig

/// `receivers:` read from text and files (SPEC §5).
@Suite struct ReceiverConfigTests {
    @Test func receiversOfEveryKind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try directory.write("hook.key", "secret\n")
        let template = try directory.write("chat.mustache", "{{summary}}\n")
        let yaml = """
            receivers:
              oncall:
                - webhook: { url: "https://chat.example/hook", format: slack, timeout: 5s, hmac_secret_file: \(key), headers: { X-Team: ops, X-Env: prod } }
                - email:   { command: [/usr/sbin/sendmail, -t, -oi], to: [oncall@example.com, ops@example.com], from: alertd@example.com }
              ticket:
                - command: { argv: [/usr/local/bin/open-ticket, --queue, ops], timeout: 1m }
              pd:
                - webhook: { url: "http://pd.example:8080/v2/enqueue", format: pagerduty, routing_key: R0UTE }
              chat:
                - webhook: { url: "https://chat.example/x", format: Template, template: \(template) }
                - webhook: { url: "https://am.example/", format: alertmanager }
              eng-manager:
                channels: [ { email: { command: [/usr/bin/msmtp, -t], to: [boss@example.com], from: alertd@example.com, timeout: 10s } } ]
                fallback: oncall
                give_up_after: 2h
              quiet:
                - log: {}
                - log:
            """
        let config = try #require(parsed(yaml))
        #expect(Set(config.receivers.keys) == ["oncall", "eng-manager", "ticket", "pd", "chat", "quiet"])
        let slack = WebhookConfig(
            url: "https://chat.example/hook", format: .slack, timeout: 5,
            headers: [("X-Team", "ops"), ("X-Env", "prod")], hmacSecretFile: key)
        let sendmail = EmailConfig(
            command: ["/usr/sbin/sendmail", "-t", "-oi"], to: ["oncall@example.com", "ops@example.com"],
            from: "alertd@example.com", timeout: 30)
        #expect(
            config.receivers["oncall"] == ReceiverConfig(name: "oncall", channels: [.webhook(slack), .email(sendmail)]))
        #expect(
            config.receivers["ticket"]?.channels
                == [.command(CommandConfig(argv: ["/usr/local/bin/open-ticket", "--queue", "ops"], timeout: 60))])
        #expect(
            config.receivers["pd"]?.channels
                == [
                    .webhook(
                        WebhookConfig(url: "http://pd.example:8080/v2/enqueue", format: .pagerduty, routingKey: "R0UTE"))
                ])
        #expect(
            config.receivers["chat"]?.channels == [
                .webhook(WebhookConfig(url: "https://chat.example/x", format: .template(path: template))),
                .webhook(WebhookConfig(url: "https://am.example/", format: .alertmanager)),
            ])
        let boss = EmailConfig(
            command: ["/usr/bin/msmtp", "-t"], to: ["boss@example.com"], from: "alertd@example.com", timeout: 10)
        #expect(
            config.receivers["eng-manager"]
                == ReceiverConfig(name: "eng-manager", channels: [.email(boss)], fallback: "oncall", giveUpAfter: 7200))
        #expect(config.receivers["quiet"] == ReceiverConfig(name: "quiet", channels: [.log, .log]))
        #expect(config.receivers["oncall"]?.giveUpAfter == TimeInterval(24 * 3600))
        #expect(config.receivers["pd"].map { $0.channels.map(\.kind) } == ["webhook"])
    }

    @Test func fileReceiversReplaceOnlyTheirEmbeddedNamesake() throws {
        let config = try #require(parsed("receivers:\n  oncall: [ { command: { argv: [/bin/true] } } ]\n"))
        #expect(config.receivers["oncall"]?.channels == [.command(CommandConfig(argv: ["/bin/true"]))])
        #expect(config.receivers["eng-manager"] == ReceiverConfig.embeddedDefaults["eng-manager"])
        #expect(config.receivers["ticket"] == ReceiverConfig.embeddedDefaults["ticket"])
    }

    @Test func fallbackMayNameAnEmbeddedReceiver() throws {
        let config = try #require(parsed("receivers:\n  a: { channels: [ { log: {} } ], fallback: ticket }\n"))
        #expect(config.receivers["a"]?.fallback == "ticket")
    }

    static let hook = #"url: "https://chat.example/hook""#

    @Test(arguments: [
        // The receiver as a whole
        ("a: []", "receivers.a", "a receiver needs at least one channel"),
        ("a:", "receivers.a", "a receiver needs at least one channel"),
        ("a: yes", "receivers.a", "expected a list of channels (`- log: {}`) or a mapping of `channels`"),
        ("\"on call\": [ { log: {} } ]", "receivers.on call", "\"on call\" is not a receiver name"),
        ("a: { channels: [] }", "receivers.a.channels", "at least one channel"),
        ("a: { fallback: ticket }", "receivers.a", "missing required key `channels`"),
        ("a: { webhook: { \(hook) } }", "receivers.a.webhook", "`webhook` is a channel: list it under `channels:`"),
        ("a: { channels: [ { log: {} } ], fallback: a }", "receivers.a.fallback", "cannot fall back to itself"),
        ("a: { channels: [ { log: {} } ], fallback: nobody }", "receivers.a.fallback", "unknown receiver \"nobody\""),
        ("a: { channels: [ { log: {} } ], give_up_after: 0s }", "receivers.a.give_up_after", "longer than 0s"),
        ("a: { channels: [ { log: {} } ], give_up_afer: 1h }", "receivers.a.give_up_afer",
         "did you mean `give_up_after`?"),
        // Channels
        ("a: [ {} ]", "receivers.a[0]", "needs one channel key: `webhook`, `email`, `command` or `log`"),
        ("a: [ log ]", "receivers.a[0]", "expected a mapping of `webhook`"),
        ("a: [ { sms: {} } ]", "receivers.a[0].sms", "unknown key `sms`"),
        ("a: [ { log: {}, command: { argv: [/bin/true] } } ]", "receivers.a[0]", "has both `command` and `log`"),
        ("a: [ { \(hook) } ]", "receivers.a[0].url", "indent it under `webhook:`"),
        ("a: [ { log: { level: info } } ]", "receivers.a[0].log.level", "no keys are allowed here"),
        ("a: [ { log: yes } ]", "receivers.a[0].log", "takes no options; write `log: {}`"),
        // Webhooks
        ("a: [ { webhook: {} } ]", "receivers.a[0].webhook", "missing required key `url`"),
        ("a: [ { webhook: { url: chat.example/hook } } ]", "receivers.a[0].webhook.url", "not an http or https URL"),
        ("a: [ { webhook: { url: \"ftp://chat.example/\" } } ]", "receivers.a[0].webhook.url", "not an http or https"),
        ("a: [ { webhook: { url: \"https://\" } } ]", "receivers.a[0].webhook.url", "with a host"),
        ("a: [ { webhook: { \(hook), format: teams } } ]", "receivers.a[0].webhook.format",
         "unknown value \"teams\"; use one of generic, slack, alertmanager, pagerduty, template"),
        ("a: [ { webhook: { \(hook), format: template } } ]", "receivers.a[0].webhook",
         "missing required key `template`"),
        ("a: [ { webhook: { \(hook), format: template, template: /nonexistent/t.mustache } } ]",
         "receivers.a[0].webhook.template", "no such file \"/nonexistent/t.mustache\""),
        ("a: [ { webhook: { \(hook), template: /etc/hostname } } ]", "receivers.a[0].webhook.template",
         "applies only to `format: template`"),
        ("a: [ { webhook: { \(hook), format: pagerduty } } ]", "receivers.a[0].webhook",
         "missing required key `routing_key`"),
        ("a: [ { webhook: { \(hook), format: slack, routing_key: R } } ]", "receivers.a[0].webhook.routing_key",
         "applies only to `format: pagerduty`"),
        ("a: [ { webhook: { \(hook), hmac_secret_file: /nonexistent/hook.key } } ]",
         "receivers.a[0].webhook.hmac_secret_file", "no such file"),
        ("a: [ { webhook: { \(hook), hmac_secret_file: / } } ]", "receivers.a[0].webhook.hmac_secret_file",
         "is a directory"),
        ("a: [ { webhook: { \(hook), timeout: 0s } } ]", "receivers.a[0].webhook.timeout", "longer than 0s"),
        ("a: [ { webhook: { \(hook), timeout: 5 } } ]", "receivers.a[0].webhook.timeout", "has no unit"),
        ("a: [ { webhook: { \(hook), headers: [X-Team] } } ]", "receivers.a[0].webhook.headers", "expected a mapping"),
        ("a: [ { webhook: { \(hook), headers: { \"X Team\": ops } } } ]", "receivers.a[0].webhook.headers.X Team",
         "not an HTTP header name"),
        ("a: [ { webhook: { \(hook), headers: { idempotency-key: k } } } ]",
         "receivers.a[0].webhook.headers.idempotency-key", "alertd sets `idempotency-key` itself"),
        ("a: [ { webhook: { \(hook), headers: { X-Team: \"a\\nb\" } } } ]", "receivers.a[0].webhook.headers.X-Team",
         "must be one line"),
        ("a: [ { webhook: { \(hook), hmac_secret_fil: x } } ]", "receivers.a[0].webhook.hmac_secret_fil",
         "did you mean `hmac_secret_file`?"),
        // Email
        ("a: [ { email: { command: [/usr/sbin/sendmail], from: a@b.c } } ]", "receivers.a[0].email",
         "missing required key `to`"),
        ("a: [ { email: { command: [/usr/sbin/sendmail], to: [a@b.c] } } ]", "receivers.a[0].email",
         "missing required key `from`"),
        ("a: [ { email: { to: [a@b.c], from: a@b.c } } ]", "receivers.a[0].email", "missing required key `command`"),
        ("a: [ { email: { command: [], to: [a@b.c], from: a@b.c } } ]", "receivers.a[0].email.command",
         "name the program and its arguments"),
        ("a: [ { email: { command: [sendmail, -t], to: [a@b.c], from: a@b.c } } ]",
         "receivers.a[0].email.command[0]", "\"sendmail\" is not an absolute path"),
        ("a: [ { email: { command: /usr/sbin/sendmail, to: [a@b.c], from: a@b.c } } ]",
         "receivers.a[0].email.command", "expected a list"),
        ("a: [ { email: { command: [/usr/sbin/sendmail], to: [], from: a@b.c } } ]", "receivers.a[0].email.to",
         "at least one address"),
        ("a: [ { email: { command: [/usr/sbin/sendmail], to: [oncall], from: a@b.c } } ]",
         "receivers.a[0].email.to[0]", "\"oncall\" is not an email address"),
        ("a: [ { email: { command: [/usr/sbin/sendmail], to: [a@b.c], from: \"alertd <a@b.c>\" } } ]",
         "receivers.a[0].email.from", "write a bare address"),
        ("a: [ { email: { command: [/usr/sbin/sendmail], to: [a@b.c], from: a@b.c, timeout: -1s } } ]",
         "receivers.a[0].email.timeout", "is negative"),
        // Commands
        ("a: [ { command: {} } ]", "receivers.a[0].command", "missing required key `argv`"),
        ("a: [ { command: { argv: [open-ticket] } } ]", "receivers.a[0].command.argv[0]", "not an absolute path"),
        ("a: [ { command: { argv: [/bin/x, [y]] } } ]", "receivers.a[0].command.argv[1]", "expected a string"),
        ("a: [ { command: { argv: [/bin/x], timeout: 0s } } ]", "receivers.a[0].command.timeout", "longer than 0s"),
    ])
    func badReceivers(entry: String, path: String, why: String) {
        let found = problems(in: "receivers:\n  \(entry)\n")
        #expect(found.map(\.path) == [path], "\(found)")
        #expect(found.first?.message.contains(why) == true, "\(found)")
        #expect(found.first?.line == 2)
    }

    @Test func fallbackCycleIsReportedOnceAtItsFirstReceiver() {
        let yaml = """
            receivers:
              start: { channels: [ { log: {} } ], fallback: b }
              a: { channels: [ { log: {} } ], fallback: c }
              b: { channels: [ { log: {} } ], fallback: a }
              c: { channels: [ { log: {} } ], fallback: b }
              d: { channels: [ { log: {} } ], fallback: c }
            """
        let found = problems(in: yaml)
        #expect(found.map(\.path) == ["receivers.a.fallback"])
        #expect(found.first?.line == 3)
        #expect(found.first?.message.hasPrefix("fallback cycle a → c → b → a;") == true, "\(found)")
    }

    @Test func twoReceiversFallingBackToEachOther() {
        let yaml = """
            receivers:
              oncall: { channels: [ { log: {} } ], fallback: eng-manager }
              eng-manager: { channels: [ { log: {} } ], fallback: oncall }
            """
        let found = problems(in: yaml)
        #expect(found.map(\.message).first?.hasPrefix("fallback cycle oncall → eng-manager → oncall") == true)
        #expect(found.count == 1)
    }

    @Test func fileReferencesAreCheckedWhenReadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let key = try directory.write("hook.key", "secret\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: key)
        let yaml = "receivers:\n  a: [ { webhook: { url: \"https://x.example/\", hmac_secret_file: \(key) } } ]\n"
        let found = problems(in: yaml)
        // Root reads any file; everyone else is told to fix the permissions.
        if getuid() == 0 {
            #expect(found.isEmpty)
        } else {
            #expect(found.map(\.path) == ["receivers.a[0].webhook.hmac_secret_file"])
            #expect(found.first?.message.contains("check its permissions") == true)
        }
    }

    @Test func pagingSectionsBelongInTheMainFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let main = try directory.write("alertd.yaml", "# nothing\n")
        try directory.write(
            "rules.d/10-paging.yaml",
            """
            policies: { SEV1: { ack_within: 1m, steps: [{ notify: [oncall] }] } }
            receivers: { oncall: [ { log: {} } ] }
            business_hours: { timezone: UTC }
            rules: []
            """)
        #expect {
            _ = try ConfigLoader.load(path: main, environment: [:])
        } throws: { error in
            guard let problems = (error as? ConfigProblems)?.problems else { return false }
            #expect(problems.map(\.path) == ["policies", "receivers", "business_hours"])
            #expect(problems.allSatisfy { $0.message.contains("belongs in the main config file") })
            return true
        }
    }
}
