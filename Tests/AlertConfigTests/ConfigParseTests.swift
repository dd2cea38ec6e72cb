import AlertCore
import Testing

@testable import AlertConfig

/// `ConfigLoader.parse`: every section read from text, and every kind of
/// problem reported with its place.
@Suite struct ConfigParseTests {
    @Test func emptyDocumentIsAllDefaults() throws {
        let environment = ["RUNTIME_DIRECTORY": "/run/alertd"]
        let config = try #require(parsed("# nothing set\n", environment: environment))
        #expect(config.listeners == ConfigLoader.embeddedDefault(environment: environment).listeners)
        #expect(config.limits == Limits())
        #expect(config.defaultSeverity == .sev3)
        #expect(config.rules.isEmpty)
        #expect(config.incidents == IncidentsConfig())
        #expect(config.storage == StorageConfig())
        #expect(config.control == ControlConfig())
        #expect(config.log == LogConfig())
        #expect(config.sources == ["alertd.yaml"])
    }

    @Test(arguments: [
        (#"{ name: u, udp: "127.0.0.1:5140" }"#, ListenerConfig.Kind.udp(host: "127.0.0.1", port: 5140)),
        (#"{ name: t, tcp: "[::1]:5141" }"#, .tcp(host: "::1", port: 5141)),
        (#"{ name: s, unix: /run/alertd/alertd.sock }"#, .unix(path: "/run/alertd/alertd.sock", mode: 0o660)),
        (#"{ name: s, unix: ./a.sock, mode: "0600" }"#, .unix(path: "./a.sock", mode: 0o600)),
        (#"{ name: g, unixgram: /run/alertd/log, mode: "0666" }"#, .unixgram(path: "/run/alertd/log", mode: 0o666)),
        (#"{ name: h, http: "localhost:9095" }"#, .http(host: "localhost", port: 9095, tokensFile: nil)),
        (#"{ name: h, http: "0.0.0.0:0", tokens_file: /etc/alertd/tokens }"#,
         .http(host: "0.0.0.0", port: 0, tokensFile: "/etc/alertd/tokens")),
    ])
    func listenerKinds(entry: String, kind: ListenerConfig.Kind) throws {
        let config = try #require(parsed("listen:\n  - \(entry)\n"))
        #expect(config.listeners.map(\.kind) == [kind])
    }

    @Test(arguments: [
        (#"{ udp: "127.0.0.1:1" }"#, "listen[0]", "missing required key `name`"),
        (#"{ name: "a b", udp: "127.0.0.1:1" }"#, "listen[0].name", "not a listener name"),
        (#"{ name: a }"#, "listen[0]", "needs one address key"),
        (#"{ name: a, udp: "127.0.0.1:1", tcp: "127.0.0.1:1" }"#, "listen[0]", "exactly one address"),
        (#"{ name: a, udp: "127.0.0.1:1", mode: "0660" }"#, "listen[0].mode", "only to unix and unixgram"),
        (#"{ name: a, tcp: "127.0.0.1:1", tokens_file: /x }"#, "listen[0].tokens_file", "only to http"),
        (#"{ name: a, udp: "127.0.0.1:99999" }"#, "listen[0].udp", "not a port"),
        (#"{ name: a, unix: /x, mode: "0999" }"#, "listen[0].mode", "not a file mode"),
        (#"{ name: a, unix: "" }"#, "listen[0].unix", "must not be empty"),
        (#"{ name: a, tcp: [1, 2] }"#, "listen[0].tcp", "found a list"),
        (#"{ name: a, http: "127.0.0.1:1", status_page: {} }"#, "listen[0].status_page", "not supported"),
    ])
    func badListeners(entry: String, path: String, why: String) {
        let found = problems(in: "listen:\n  - \(entry)\n")
        #expect(found.count == 1)
        #expect(found.first?.path == path)
        #expect(found.first?.message.contains(why) == true, "\(found)")
        #expect(found.first?.line == 2)
    }

    @Test func everyMisplacedListenerOptionIsReported() {
        let found = problems(in: "listen:\n  - { name: a, udp: \"127.0.0.1:1\", mode: \"0660\", tokens_file: /t }\n")
        #expect(found.map(\.path) == ["listen[0].mode", "listen[0].tokens_file"])
    }

    @Test func longUnixSocketPathIsRefused() {
        let path = "/" + String(repeating: "x", count: 120)
        let found = problems(in: "listen:\n  - { name: a, unix: \(path) }\n")
        #expect(found.map(\.path) == ["listen[0].unix"])
        #expect(found.first?.message.contains("at most 107") == true)
    }

    @Test func duplicateListenerNames() {
        let yaml = """
            listen:
              - { name: ingest, udp: "127.0.0.1:5140" }
              - { name: ingest, tcp: "127.0.0.1:5140" }
            """
        let found = problems(in: yaml)
        #expect(found.count == 1)
        #expect(found.first?.path == "listen[1].name")
        #expect(found.first?.line == 3)
        #expect(found.first?.message.contains("already used by listen[0] (line 2)") == true)
    }

    @Test func emptyListenIsAProblem() {
        #expect(problems(in: "listen: []\n").first?.message.contains("no listeners") == true)
    }

    @Test func everySettingIsRead() throws {
        let yaml = """
            limits: { max_frame: 1MB, max_body: 16MiB, max_connections: 10, idle_timeout: 90s, header_timeout: 5s, read_timeout: 2m, max_queued: 50 }
            default_severity: P2
            incidents:
              auto_resolve: no
              reopen_within: 0s
              flap: { max_changes: 3, window: 30m }
              storm: { max_new_incidents: 5, window: 2m }
            storage: { sqlite: /tmp/a.sqlite, resident_incidents: 500 }
            control: { socket: /tmp/control.sock, mode: "0600" }
            log: { level: debug, target: journal }
            """
        let config = try #require(parsed(yaml))
        #expect(config.limits.maxFrame == 1_000_000)
        #expect(config.limits.maxBody == 16 * 1024 * 1024)
        #expect(config.limits.maxConnections == 10)
        #expect(config.limits.idleTimeout == 90)
        #expect(config.limits.headerTimeout == 5 && config.limits.readTimeout == 120)
        #expect(config.limits.maxQueued == 50)
        #expect(config.defaultSeverity == .sev2)
        #expect(!config.incidents.autoResolve)
        #expect(config.incidents.reopenWithin == 0)
        #expect(config.incidents.flapMaxChanges == 3 && config.incidents.flapWindow == 1800)
        #expect(config.incidents.stormMaxNewIncidents == 5 && config.incidents.stormWindow == 120)
        #expect(config.storage == StorageConfig(sqlitePath: "/tmp/a.sqlite", residentIncidents: 500))
        #expect(config.control == ControlConfig(socketPath: "/tmp/control.sock", mode: 0o600))
        #expect(config.log.level == .debug && config.log.target == .journal)
    }

    @Test(arguments: [
        ("limits: { max_frame: 64kb }", "limits.max_frame", "did you mean 64KB?"),
        ("limits: { idle_timeout: 300 }", "limits.idle_timeout", "has no unit"),
        ("limits: { idle_timeout: 0s }", "limits.idle_timeout", "longer than 0s"),
        ("limits: { max_connections: 0 }", "limits.max_connections", "at least 1"),
        ("limits: { max_connections: many }", "limits.max_connections", "whole number"),
        ("limits: [1]", "limits", "expected a mapping"),
        ("default_severity: urgent", "default_severity", "unknown severity \"urgent\""),
        ("incidents: { auto_resolve: maybe }", "incidents.auto_resolve", "true or false"),
        ("incidents: { flap: { window: 1x } }", "incidents.flap.window", "not a duration"),
        ("incidents: { storm: { max_new: 5 } }", "incidents.storm.max_new", "unknown key `max_new`"),
        ("storage: { postgres: \"postgres://db\" }", "storage.postgres", "not supported by this version"),
        ("log: { level: verbose }", "log.level", "use one of trace, debug, info"),
        ("log: { target: syslog }", "log.target", "auto, journal, stderr"),
        ("control: { mode: rw }", "control.mode", "not a file mode"),
        ("storage: { sqlite: }", "storage.sqlite", "expected a string, found no value"),
        ("storage: { resident_incidents: -1 }", "storage.resident_incidents", "at least 0"),
    ])
    func badSettings(yaml: String, path: String, why: String) {
        let found = problems(in: yaml + "\n")
        #expect(found.map(\.path) == [path])
        #expect(found.first?.message.contains(why) == true, "\(found)")
    }

    @Test func unknownKeyNamesLineSuggestionAndAllowedKeys() throws {
        let yaml = """
            limits:
              max_frame: 64KiB
              max_frmae: 1MiB
            """
        let found = problems(in: yaml)
        #expect(found.count == 1)
        let problem = try #require(found.first)
        #expect(problem.path == "limits.max_frmae")
        #expect(problem.line == 3 && problem.column == 3)
        #expect(problem.message.contains("did you mean `max_frame`?"))
        #expect(problem.message.contains("allowed here: max_frame, max_body, max_connections, idle_timeout, header_timeout, read_timeout, max_queued"))
        #expect(
            problem.description
                == "alertd.yaml:3:3: limits.max_frmae: unknown key `max_frmae`; did you mean `max_frame`? "
                + "(allowed here: max_frame, max_body, max_connections, idle_timeout, header_timeout, read_timeout, max_queued)")
    }

    @Test func unknownTopLevelKeyWithoutNearMatch() {
        let found = problems(in: "colour: blue\n")
        #expect(found.first?.path == "colour")
        #expect(found.first?.message.contains("did you mean") == false)
        #expect(found.first?.message.contains("allowed here: listen, limits") == true)
    }

    @Test(arguments: ["maintenance", "inhibit", "heartbeats", "status_page"])
    func laterFeaturesAreNamedNotTypos(key: String) {
        let found = problems(in: "\(key): {}\n")
        #expect(found.map(\.message) == ["`\(key)` is not supported by this version of alertd yet"])
        #expect(found.first?.path == key)
    }

    @Test func yamlSyntaxErrorHasItsLine() {
        let yaml = """
            limits:
              max_frame: 64KiB
             max_body: [8MiB
            """
        let found = problems(in: yaml)
        #expect(found.count == 1)
        #expect(found.first?.message.hasPrefix("YAML syntax error") == true)
        #expect(found.first?.line == 3)
        #expect(found.first?.description.hasPrefix("alertd.yaml:3:") == true)
    }

    @Test func tabIndentationGetsAHint() {
        let found = problems(in: "log:\n\tlevel: info\n")
        #expect(found.first?.line == 2)
        #expect(found.first?.message.hasSuffix("indent YAML with spaces, not tabs") == true)
    }

    @Test func misspelledKeyIsTheOnlyProblemOfARule() {
        let found = problems(in: "rules:\n  - { name: s, severty: SEV1 }\n")
        #expect(found.map(\.path) == ["rules[0].severty"])
    }

    @Test func duplicateKeyIsReportedWithItsLine() {
        let found = problems(in: "log:\n  level: info\n  level: debug\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("`level` appears more than once") == true)
        #expect(found.first?.line != nil)
    }

    @Test func documentMustBeAMapping() {
        let found = problems(in: "- listen\n")
        #expect(found.first?.path == "")
        #expect(found.first?.message.contains("expected a mapping of `listen`") == true)
    }

    @Test func problemsAcrossSectionsAreAllReported() {
        let yaml = """
            listen:
              - { name: a, udp: "127.0.0.1" }
            limits: { max_body: huge }
            rules:
              - { name: r, match: ['check ~ "x"'], severity: SEV1 }
            log: { levle: info }
            """
        let found = problems(in: yaml)
        #expect(found.map(\.path) == ["listen[0].udp", "limits.max_body", "rules[0].match[0]", "log.levle"])
        #expect(found.map(\.line) == [2, 3, 5, 6])
    }
}
