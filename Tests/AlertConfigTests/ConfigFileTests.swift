import AlertCore
import Foundation
import Testing

@testable import AlertConfig

/// `ConfigLoader.load`: real files, `rules.d`, the shipped example and the
/// embedded default.
@Suite struct ConfigFileTests {
    @Test func shippedConfigLoadsCleanly() throws {
        let directory = shippedConfigDirectory()
        let config = try ConfigLoader.load(path: directory + "/alertd.yaml", environment: [:])
        #expect(config.sources.first == directory + "/alertd.yaml")
        #expect(config.sources.contains(directory + "/rules.d/10-example.yaml"))
        #expect(config.rules.prefix(3).map(\.name) == ["node-down", "disks", "ignore-dev"])
        #expect(config.listeners == ConfigLoader.embeddedDefault(environment: [:]).listeners)
        #expect(config.limits == Limits() && config.incidents == IncidentsConfig())
        #expect(config.policies.isEmpty && config.receivers == ReceiverConfig.embeddedDefaults)
        #expect(config.businessHours == .default)
    }

    /// The shipped file shows every setting commented out at its default:
    /// uncommented, it must still load and change nothing.
    @Test func shippedConfigUncommentedShowsTheDefaults() throws {
        let text = try String(contentsOfFile: shippedConfigDirectory() + "/alertd.yaml", encoding: .utf8)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            let isProse = line == "#" || line.hasPrefix("# ") && !line.hasPrefix("#  ")
            return line.hasPrefix("#") && !isProse ? String(line.dropFirst()) : String(line)
        }.joined(separator: "\n")
        let environment = ["RUNTIME_DIRECTORY": "/run/alertd"]
        let config = try ConfigLoader.parse(yaml: uncommented, file: "alertd.yaml", environment: environment)
        #expect(config.listeners == ConfigLoader.embeddedDefault(environment: environment).listeners)
        #expect(config.limits == Limits())
        #expect(config.defaultSeverity == .sev3)
        #expect(config.rules.isEmpty)
        #expect(config.incidents == IncidentsConfig())
        #expect(config.storage == StorageConfig(sqlitePath: "/var/lib/alertd/alertd.sqlite"))
        #expect(config.control == ControlConfig(socketPath: "/run/alertd/control.sock", mode: 0o660))
        #expect(config.log == LogConfig())
        for severity in Severity.allCases {
            #expect(config.policies[severity] == Policy.embeddedDefault(for: severity), "\(severity)")
        }
        #expect(config.receivers == ReceiverConfig.embeddedDefaults)
        #expect(config.businessHours == .default)
    }

    @Test func rulesDFilesAreAppendedInNameOrder() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let main = try directory.write("alertd.yaml", "rules:\n  - { name: main, severity: SEV4 }\n")
        try directory.write(
            "rules.d/20-b.yaml", "rules:\n  - { name: b1, severity: SEV2 }\n  - { name: b2, action: drop }\n")
        try directory.write("rules.d/10-a.yaml", "rules:\n  - { name: a, severity: SEV1 }\n")
        try directory.write("rules.d/9-c.yaml", "rules:\n  - { name: c, severity: SEV3 }\n")
        try directory.write("rules.d/05-empty.yaml", "# nothing yet\n")
        try directory.write("rules.d/30-ignored.yml", "not: [valid")
        try directory.write("rules.d/.hidden.yaml", "not: [valid")

        let config = try ConfigLoader.load(path: main, environment: [:])
        #expect(config.rules.map(\.name) == ["main", "a", "b1", "b2", "c"])
        let names = config.sources.map { ($0 as NSString).lastPathComponent }
        #expect(names == ["alertd.yaml", "05-empty.yaml", "10-a.yaml", "20-b.yaml", "9-c.yaml"])
    }

    @Test func problemsInEveryFileAreReportedTogether() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let main = try directory.write(
            "alertd.yaml",
            """
            limits:
              max_frame: 64kb
            rules:
              - { name: disks, severity: SEV2 }
            """)
        let ruleFile = try directory.write(
            "rules.d/10-more.yaml",
            """
            rules:
              - name: disks
                severity: SEV1
              - name: broken
                match: ['check == "x"']
                severity: SEV1
            listen: []
            """)
        let syntaxFile = try directory.write("rules.d/20-bad.yaml", "rules:\n  - { name: x\n")

        #expect {
            _ = try ConfigLoader.load(path: main, environment: [:])
        } throws: { error in
            guard let problems = (error as? ConfigProblems)?.problems else { return false }
            let summary = problems.map { "\(($0.file as NSString).lastPathComponent):\($0.line ?? 0) \($0.path)" }
            #expect(
                summary == [
                    "alertd.yaml:2 limits.max_frame",
                    "10-more.yaml:2 rules[0].name",
                    "10-more.yaml:5 rules[1].match[0]",
                    "10-more.yaml:7 listen",
                    "20-bad.yaml:3 ",
                ])
            #expect(problems[1].file == ruleFile)
            #expect(problems[1].message.contains("already used by rules[0] in \(main) (line 4)"))
            #expect(problems[2].message.contains("\"==\" is not an operator"))
            #expect(problems[3].message.contains("belongs in the main config file"))
            #expect(problems[4].file == syntaxFile)
            #expect(problems[4].message.hasPrefix("YAML syntax error"))
            #expect((error as? ConfigProblems)?.description.split(separator: "\n").count == 5)
            return true
        }
    }

    @Test func missingFileIsAProblem() {
        #expect {
            _ = try ConfigLoader.load(path: "/nonexistent/alertd.yaml", environment: [:])
        } throws: { error in
            (error as? ConfigProblems)?.description == "/nonexistent/alertd.yaml: no such file"
        }
    }

    @Test func configWithoutDirectoryComponentFindsRulesD() throws {
        let files = ConfigLoader.ruleFiles(besideConfig: "alertd.yaml", log: ProblemLog())
        #expect(files.allSatisfy { $0.hasPrefix("./rules.d/") })
    }

    @Test(arguments: [
        ([String: String](), "./.alertd/alertd.sock"),
        (["RUNTIME_DIRECTORY": "/run/alertd"], "/run/alertd/alertd.sock"),
        (["RUNTIME_DIRECTORY": "/run/alertd/"], "/run/alertd/alertd.sock"),
        (["RUNTIME_DIRECTORY": "/run/alertd:/run/other"], "/run/alertd/alertd.sock"),
        (["RUNTIME_DIRECTORY": ""], "./.alertd/alertd.sock"),
    ])
    func embeddedDefault(environment: [String: String], socket: String) {
        let config = ConfigLoader.embeddedDefault(environment: environment)
        #expect(
            config.listeners == [
                ListenerConfig(name: "ingest-udp", kind: .udp(host: "127.0.0.1", port: 5140)),
                ListenerConfig(name: "ingest-tcp", kind: .tcp(host: "127.0.0.1", port: 5140)),
                ListenerConfig(name: "ingest-unix", kind: .unix(path: socket, mode: 0o660)),
            ])
        #expect(config.defaultSeverity == .sev3)
        #expect(config.rules.isEmpty && config.sources.isEmpty)
        #expect(config.limits == Limits() && config.log == LogConfig())
    }
}
