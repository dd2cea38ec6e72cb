import Foundation
import Testing

/// The built `alertd`, real sockets, checked with `alertctl --json` as an
/// operator would.
@Suite(.serialized) struct IngestEndToEndTests {
    @Test func alertsArriveOverUDPTCPAndUnixAndAreClassified() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        try Send.udp(#"{"check":"node_down","host":"node-1","summary":"node-1 unreachable"}"#, port: daemon.port(of: "ingest-udp"))
        try Send.tcp(#"{"check":"fs","host":"node-2","summary":"Disk / is 97% full"}"# + "\n", port: daemon.port(of: "ingest-tcp"))
        try Send.unix(#"{"alertname":"cpu_hot","host":"node-3","severity":"P4"}"# + "\n", path: daemon.unixSocket)

        try waitUntil("three incidents exist") { try daemon.incidents().count == 3 }
        let byHost = Dictionary(uniqueKeysWithValues: try daemon.incidents().map { ($0["title"] as! String, $0) })
        #expect(byHost["node-1: node-1 unreachable"]?["severity"] as? String == "SEV1")
        #expect(byHost["node-2: Disk / is 97% full"]?["severity"] as? String == "SEV2")
        #expect(byHost["node-3: cpu_hot"]?["severity"] as? String == "SEV4")  // sender's P4, no rule matched
        for incident in byHost.values {
            #expect(incident["state"] as? String == "open")
            #expect(incident["alerts"] == nil)  // lists leave out alerts and timeline
            #expect(incident["acknowledged_at"] is NSNull)
        }
        // The disks rule's set_labels reached the stored alert.
        let disk = try daemon.show(byHost["node-2: Disk / is 97% full"]!["id"] as! Int)
        let alerts = try #require(disk["alerts"] as? [[String: Any]])
        #expect((alerts.first?["labels"] as? [String: String])?["team"] == "storage")
        let kinds = (disk["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds?.filter { !$0.hasPrefix("page_") } == ["opened", "alert_attached"])
        #expect(kinds?.contains("page_queued") == true)  // SEV2 pages oncall (the log receiver by default)
    }

    @Test func repeatsDeduplicateAndGroupByJoinsOneIncident() throws {
        let daemon = try DaemonProcess(
            config: DaemonProcess.defaultConfig.replacingOccurrences(
                of: "listen:\n", with: "listen:\n  - { name: http, http: \"127.0.0.1:0\" }\n"))
        try daemon.start()
        let port = try daemon.port(of: "ingest-tcp")
        let line = #"{"check":"disk","host":"db-1","summary":"disk 50%","labels":{"mount":"/"}}"# + "\n"
        try Send.tcp(String(repeating: line, count: 5), port: port)
        // Two node_down alerts from different sources, same host: one incident (group_by host).
        try Send.tcp(#"{"check":"node_down","host":"web-1","source":"ping"}"# + "\n" + #"{"check":"node_down","host":"web-1","source":"agent"}"# + "\n", port: port)

        try waitUntil("dedup and grouping are committed") {
            let incidents = try daemon.incidents()
            return incidents.count == 2 && incidents.map { $0["occurrences"] as! Int }.sorted() == [2, 5]
        }
        let incidents = try daemon.incidents()
        let grouped = try #require(incidents.first { $0["severity"] as? String == "SEV1" })
        #expect(grouped["alert_count"] as? Int == 2)
        let repeated = try #require(incidents.first { $0["severity"] as? String == "SEV3" })
        #expect(repeated["alert_count"] as? Int == 1)
        let shown = try daemon.show(repeated["id"] as! Int)
        #expect((shown["alerts"] as? [[String: Any]])?.first?["count"] as? Int == 5)

        // explain says which incident took it and why nobody was paged again.
        let fingerprint = try #require((shown["alerts"] as? [[String: Any]])?.first?["fingerprint"] as? String)
        let fate = try #require(try daemon.json(["explain", fingerprint]) as? [String: Any])
        #expect(fate["decision"] as? String == "deduplicated")
        #expect(fate["incident"] as? Int == repeated["id"] as? Int)
        #expect(fate["rule"] is NSNull)
        #expect((fate["reasons"] as? [String])?.contains { $0.contains("default_severity SEV3") } == true)

        // Counted in /metrics: four repeats, and the node_down that joined its group.
        let metrics = try HTTPEndToEndTests.curl(["http://127.0.0.1:\(try daemon.port(of: "http"))/metrics"]).text
        #expect(metrics.contains("alertd_alerts_deduplicated_total 5\n"))
    }

    @Test func resolvedAlertsResolveTheIncidentAndAFiringOneReopensIt() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let port = try daemon.port(of: "ingest-tcp")
        try Send.tcp(#"{"check":"api_latency","host":"api-1"}"# + "\n", port: port)
        try waitUntil("incident opened") { try daemon.incidents().count == 1 }
        try Send.tcp(#"{"check":"api_latency","host":"api-1","status":"resolved"}"# + "\n", port: port)
        try waitUntil("incident resolved") { try daemon.incidents().first?["state"] as? String == "resolved" }
        try Send.tcp(#"{"check":"api_latency","host":"api-1"}"# + "\n", port: port)
        try waitUntil("same incident reopened") {
            let all = try daemon.incidents()
            return all.count == 1 && all.first?["state"] as? String == "open"
        }
        let kinds = (try daemon.show(1)["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
        #expect(kinds.contains("resolved") && kinds.contains("reopened"))
    }

    @Test func droppedAlertsOpenNothingButAreExplained() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let sent = try DaemonProcess.run(
            "alertctl", ["--socket", daemon.controlSocket, "--json", "send", "--check", "noise", "--host", "dev-1"])
        #expect(sent.status == 0)
        // A dev alert via TCP is dropped by the ignore-dev rule; then a committed marker via alertctl.
        try Send.tcp(#"{"check":"noise","host":"dev-2","labels":{"env":"dev"}}"# + "\n", port: daemon.port(of: "ingest-tcp"))
        try waitUntil("the dev alert was processed") {
            (try daemon.json(["stats"]) as? [String: Any])?["alerts_dropped"] as? Int == 1
        }
        #expect(try daemon.incidents().count == 1)  // only the alertctl one
    }

    @Test func badFramesAreCountedAndTheGoodOnesAroundThemGetIn() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let port = try daemon.port(of: "ingest-tcp")
        try Send.tcp("garbage\n{\"check\":\"a\"}\n{not json}\n{\"check\":\"b\"}\n", port: port)
        try Send.udp("{\"check\":\"c\"}\n{\"summary\":5}\n{\"check\":\"d\"}", port: daemon.port(of: "ingest-udp"))
        try waitUntil("four good alerts in") { try daemon.incidents().count == 4 }
        let stats = try #require(try daemon.json(["stats"]) as? [String: Any])
        #expect(stats["alerts_received"] as? Int == 4)
        #expect(stats["alerts_rejected"] as? Int == 3)
        let counts = try #require(stats["open_by_severity"] as? [String: Int])
        #expect(counts["SEV3"] == 4)
    }
}
