import Foundation
import Testing

/// The HTTP listener with real `curl` (SPEC §2): a 2xx means stored.
@Suite(.serialized) struct HTTPEndToEndTests {
    static let config = """
        listen:
          - { name: ingest-tcp, tcp: "127.0.0.1:0" }
          - { name: http, http: "127.0.0.1:0", tokens_file: "$DIR/tokens" }
        limits: { max_body: 2KiB }
        storage: { sqlite: "$DIR/state/alertd.sqlite" }
        control: { socket: "$DIR/control.sock" }
        """

    /// curl's status code and body.
    static func curl(_ arguments: [String]) throws -> (status: Int, body: [String: Any]?, text: String) {
        let result = try Spawn.run("/usr/bin/curl", ["-s", "-w", "\n%{http_code}"] + arguments)
        var lines = result.out.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        let text = lines.joined(separator: "\n")
        return (status, try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text)
    }

    @Test func ingestAnswersOnlyAfterCommitWithTokensLimitsAndPartialAcceptance() throws {
        let daemon = try DaemonProcess(config: Self.config)
        try "# ingest tokens\nt0ken-abc\n".write(
            to: daemon.directory.appendingPathComponent("tokens"), atomically: true, encoding: .utf8)
        try daemon.start()
        let base = "http://127.0.0.1:\(try daemon.port(of: "http"))"
        let auth = ["-H", "Authorization: Bearer t0ken-abc", "-H", "Content-Type: application/json"]

        #expect(try Self.curl([base + "/healthz"]).status == 200)
        #expect(try Self.curl(["-X", "POST", "--data", #"{"check":"x"}"#, base + "/api/v1/alerts"]).status == 401)
        #expect(try Self.curl(["-X", "POST", "-H", "Authorization: Bearer wrong", "--data", #"{"check":"x"}"#, base + "/api/v1/alerts"]).status == 401)

        // 200 means committed: the incident is there at once, no waiting.
        let one = try Self.curl(auth + ["--data", #"{"check":"disk_full","host":"db-1","severity":"critical"}"#, base + "/api/v1/alerts"])
        #expect(one.status == 200, "\(one.text)")
        #expect(try daemon.incidents().count == 1)

        // Partial acceptance: the valid ones are stored, the bad one is named in a 400.
        let mixed = try Self.curl(auth + [
            "--data", #"[{"check":"a","host":"h"},{"summary":5},{"check":"b","host":"h"}]"#, base + "/api/v1/alerts",
        ])
        #expect(mixed.status == 400)
        #expect(mixed.body?["accepted"] as? Int == 2)
        #expect((mixed.body?["errors"] as? [[String: Any]])?.first?["index"] as? Int == 1)
        #expect(try daemon.incidents().count == 3)

        #expect(try Self.curl(auth + ["--data", "not json", base + "/api/v1/alerts"]).status == 400)
        let big = #"{"check":"big","summary":""# + String(repeating: "x", count: 4096) + "\"}"
        #expect(try Self.curl(auth + ["--data", big, base + "/api/v1/alerts"]).status == 413)

        // Reading incidents back, in the shape of alertctl --json.
        let list = try Spawn.run("/usr/bin/curl", ["-s", "-H", "Authorization: Bearer t0ken-abc", base + "/api/v1/incidents"])
        #expect((try JSONSerialization.jsonObject(with: Data(list.out.utf8)) as? [Any])?.count == 3)
        let first = try Self.curl(["-H", "Authorization: Bearer t0ken-abc", base + "/api/v1/incidents/1"])
        #expect(first.body?["severity"] as? String == "SEV1")
        #expect(first.body?["timeline"] is [Any])
        #expect(try Self.curl(["-H", "Authorization: Bearer t0ken-abc", base + "/api/v1/incidents/99"]).status == 404)

        // Every refusal is counted in /metrics (no token needed there).
        let metrics = try Self.curl([base + "/metrics"]).text
        #expect(metrics.contains(#"alertd_alerts_received_total{listener="http",format="json"} 3"#))
        #expect(metrics.contains(#"alertd_alerts_rejected_total{listener="http",reason="unauthorized"} 2"#))
    }
}

extension HTTPEndToEndTests {
    static let hasAmtool = FileManager.default.isExecutableFile(atPath: "/usr/bin/amtool")

    @Test(.enabled(if: hasAmtool)) func amtoolFiresAndResolvesThroughTheAlertmanagerAPI() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: http, http: "127.0.0.1:0" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        try daemon.start()
        let base = "http://127.0.0.1:\(try daemon.port(of: "http"))"
        let labels = ["alertname=disk_full", "instance=db-1", "severity=critical"]

        // amtool probes GET /api/v2/status, then POSTs; it fails on anything but 200.
        let fired = try Spawn.run("/usr/bin/amtool", ["alert", "add"] + labels + [
            "--annotation=summary=disk / is 97% full", "--alertmanager.url=" + base,
        ])
        #expect(fired.status == 0, "amtool: \(fired.err)")
        let incident = try #require(try daemon.incidents().first)  // a 200 means stored: no waiting
        #expect(incident["severity"] as? String == "SEV1")
        #expect(incident["title"] as? String == "db-1: disk / is 97% full")

        // An endsAt in the past resolves it.
        let resolved = try Spawn.run("/usr/bin/amtool", ["alert", "add"] + labels + [
            "--annotation=summary=disk / is 97% full", "--end=2020-01-01T00:00:00Z", "--alertmanager.url=" + base,
        ])
        #expect(resolved.status == 0, "amtool: \(resolved.err)")
        #expect(try daemon.incidents().first?["state"] as? String == "resolved")

        // Bodies the spec calls invalid get 400 with a JSON string; valid neighbours are stored.
        for bad in [
            #"[{"annotations":{}}]"#,
            #"[{"labels":{"alertname":"x"},"startsAt":"yesterday"}]"#,
            #"[{"labels":{"alertname":"x"},"generatorURL":"not a uri"}]"#,
            #"{"labels":{"alertname":"x"}}"#,
        ] {
            let answer = try Self.curl(["-H", "Content-Type: application/json", "--data", bad, base + "/api/v2/alerts"])
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.text.hasPrefix("\""), "a JSON string: \(answer.text)")
        }
        let mixed = try Self.curl([
            "-H", "Content-Type: application/json", "--data",
            #"[{"labels":{"alertname":"cpu_hot","instance":"web-1"}},{"labels":{}}]"#, base + "/api/v2/alerts",
        ])
        #expect(mixed.status == 400)
        #expect(try daemon.incidents(state: "open").contains { $0["title"] as? String == "web-1: cpu_hot" })
    }
}

extension HTTPEndToEndTests {
    @Test func pagerDutyEventsTriggerAcknowledgeAndResolve() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: http, http: "127.0.0.1:0" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        try daemon.start()
        let url = "http://127.0.0.1:\(try daemon.port(of: "http"))/v2/enqueue"
        func send(_ body: String) throws -> (status: Int, body: [String: Any]?, text: String) {
            try Self.curl(["-H", "Content-Type: application/json", "--data", body, url])
        }

        // The spec's own example event (note its +0000 offset).
        let trigger = try send("""
            {"routing_key":"e93facc04764012d7bfb002500d5d1a6","event_action":"trigger","dedup_key":"srv01/mysql",
             "payload":{"summary":"DISK at 99% on machine prod-datapipe03.example.com","timestamp":"2015-07-17T08:42:58.315+0000",
                        "severity":"critical","source":"prod-datapipe03.example.com","component":"mysql","group":"prod-datapipe",
                        "class":"disk","custom_details":{"free space":"1%","ping time":"1500ms","load avg":0.75}}}
            """)
        #expect(trigger.status == 202, "\(trigger.text)")
        #expect(trigger.body?["status"] as? String == "success")
        #expect(trigger.body?["message"] as? String == "Event processed")
        #expect(trigger.body?["dedup_key"] as? String == "srv01/mysql")
        let incident = try #require(try daemon.incidents().first)  // 202 means stored
        #expect(incident["severity"] as? String == "SEV1")
        let alert = try #require((try daemon.show(incident["id"] as! Int)["alerts"] as? [[String: Any]])?.first)
        #expect(alert["fingerprint"] as? String == "srv01/mysql")
        #expect(alert["check"] as? String == "disk")
        #expect((alert["labels"] as? [String: String])?["load avg"] == "0.75")

        // A trigger without dedup_key gets one generated and returned.
        let generated = try send(#"{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}"#)
        #expect(generated.status == 202)
        #expect((generated.body?["dedup_key"] as? String)?.isEmpty == false)

        #expect(try send(#"{"routing_key":"k","event_action":"acknowledge","dedup_key":"srv01/mysql"}"#).status == 202)
        #expect(try daemon.show(incident["id"] as! Int)["state"] as? String == "acknowledged")
        #expect(try send(#"{"routing_key":"k","event_action":"resolve","dedup_key":"srv01/mysql"}"#).status == 202)
        #expect(try daemon.show(incident["id"] as! Int)["state"] as? String == "resolved")

        // Invalid events: 400 with PagerDuty's {status, message, errors}.
        for bad in [
            #"{"event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info"}}"#,
            #"{"routing_key":"k","event_action":"explode"}"#,
            #"{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"fatal"}}"#,
            #"{"routing_key":"k","event_action":"resolve"}"#,
            #"{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"soon"}}"#,
        ] {
            let answer = try send(bad)
            #expect(answer.status == 400, "\(bad)")
            #expect(answer.body?["status"] as? String == "invalid event")
            #expect((answer.body?["errors"] as? [String])?.isEmpty == false)
        }
    }
}
