import Foundation
import Testing

/// A real Prometheus server (Debian's `prometheus`) pointed at alertd as its
/// Alertmanager (SPEC §2): its alerts open incidents; a rule that stops
/// firing sends the resolve; a deleted rule sends nothing more and its alert
/// ends at its last `endsAt`, as it would in Alertmanager.
@Suite(.serialized) struct PrometheusEndToEndTests {
    static let hasPrometheus = FileManager.default.isExecutableFile(atPath: "/usr/bin/prometheus")

    @Test(.enabled(if: hasPrometheus)) func prometheusAlertsOpenAndResolveIncidents() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: http, http: "127.0.0.1:0" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        try daemon.start()
        let prometheus = try PrometheusServer(
            directory: daemon.directory, alertmanager: "127.0.0.1:\(try daemon.port(of: "http"))",
            rules: [("AlwaysFiring", "vector(1)"), ("ToBeDeleted", "vector(1)")])

        func incident(_ check: String) throws -> [String: Any]? {
            try daemon.incidents().first { ($0["title"] as? String)?.contains(check) == true }
        }
        try waitUntil("Prometheus's alerts opened incidents", timeout: 60) {
            try incident("AlwaysFiring") != nil && incident("ToBeDeleted") != nil
        }
        let firing = try #require(try incident("AlwaysFiring"))
        #expect(firing["severity"] as? String == "SEV1")  // its severity: critical label
        #expect(firing["state"] as? String == "open")

        // The rule stops firing: Prometheus sends the resolve.
        try prometheus.reload(rules: [("AlwaysFiring", "vector(1) == 0"), ("ToBeDeleted", "vector(1)")])
        try waitUntil("the resolve from Prometheus resolved the incident", timeout: 60) {
            try incident("AlwaysFiring")?["state"] as? String == "resolved"
        }
        #expect(try incident("ToBeDeleted")?["state"] as? String == "open")

        // The rule is deleted: Prometheus sends nothing more, and the alert
        // ends when its last endsAt passes without a refresh.
        try prometheus.reload(rules: [])
        try waitUntil("the deleted rule's alert ended at its endsAt", timeout: 60) {
            try incident("ToBeDeleted")?["state"] as? String == "resolved"
        }
        let deleted = try daemon.show(try #require(try incident("ToBeDeleted")?["id"] as? Int))
        let timeline = deleted["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.contains { ($0["detail"] as? String)?.contains("endsAt passed") == true }, "\(timeline)")
    }
}

/// `prometheus` on loopback with a rules file the test rewrites, evaluating
/// every second and resending every second, reloaded over its lifecycle API.
final class PrometheusServer {
    private let process = Process()
    private let rulesPath: String
    private let webPort: UInt16

    init(directory: URL, alertmanager: String, rules: [(alert: String, expr: String)]) throws {
        let home = directory.appendingPathComponent("prometheus")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        rulesPath = home.appendingPathComponent("rules.yml").path
        try Self.write(rules, to: rulesPath)
        try """
            global: { evaluation_interval: 1s }
            rule_files: [\(rulesPath)]
            alerting:
              alertmanagers:
                - static_configs: [{ targets: ["\(alertmanager)"] }]
            """.write(toFile: home.appendingPathComponent("prometheus.yml").path, atomically: true, encoding: .utf8)
        webPort = try freeTCPPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/prometheus")
        process.arguments = [
            "--config.file=\(home.appendingPathComponent("prometheus.yml").path)",
            "--storage.tsdb.path=\(home.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(webPort)", "--web.enable-lifecycle",
            // Prometheus holds back the first alert it evaluates and resends
            // after this delay (1m by default).
            "--rules.alert.resend-delay=1s",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        try waitUntil("Prometheus is ready", timeout: 30) {
            (try? Spawn.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(webPort)/-/ready"]).status) == 0
        }
    }

    // SIGKILL: processes the test runner starts inherit a mask that blocks SIGTERM.
    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// Rewrites the rules and reloads Prometheus's configuration.
    func reload(rules: [(alert: String, expr: String)]) throws {
        try Self.write(rules, to: rulesPath)
        let answer = try Spawn.run("/usr/bin/curl", ["-sf", "-X", "POST", "http://127.0.0.1:\(webPort)/-/reload"])
        guard answer.status == 0 else { throw E2EError("Prometheus reload failed: \(answer.err)") }
    }

    private static func write(_ rules: [(alert: String, expr: String)], to path: String) throws {
        var text = "groups:\n  - name: alertd-e2e\n    interval: 1s\n    rules:\(rules.isEmpty ? " []" : "")\n"
        for rule in rules {
            text += """
                      - alert: \(rule.alert)
                        expr: \(rule.expr)
                        labels: { severity: critical }
                        annotations: { summary: "\(rule.alert) from Prometheus" }

                """
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
