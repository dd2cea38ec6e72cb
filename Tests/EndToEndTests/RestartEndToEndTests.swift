import Foundation
import Testing

/// What was acknowledged survives `kill -9`.
@Suite(.serialized) struct RestartEndToEndTests {
    @Test func killNineLosesNothingAcknowledged() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        let port = try daemon.port(of: "ingest-tcp")
        try Send.tcp(String(repeating: #"{"check":"node_down","host":"n1"}"# + "\n", count: 3), port: port)
        try waitUntil("three occurrences committed") { try daemon.incidents().first?["occurrences"] as? Int == 3 }
        // alertctl send answers only after commit: an acknowledged alert.
        let sent = try #require(try daemon.json(["send", "--check", "disk_full", "--host", "n2", "--severity", "SEV2"]) as? [String: Any])
        let sentIncident = try #require(sent["incident"] as? Int)
        try daemon.alertctl(["ack", "1", "--by", "alice"])
        try daemon.alertctl(["note", "1", "rebooting n1", "--by", "alice"])
        let before = try daemon.show(1)

        daemon.signal(SIGKILL)
        _ = try daemon.waitForExit()
        try daemon.start()

        let after = try daemon.show(1)
        for key in ["state", "severity", "occurrences", "acknowledged_at", "title", "alert_count"] {
            #expect("\(after[key] ?? "nil")" == "\(before[key] ?? "nil")", "\(key) changed across kill -9")
        }
        #expect((after["timeline"] as? [Any])?.count == (before["timeline"] as? [Any])?.count)
        #expect(try daemon.show(sentIncident)["severity"] as? String == "SEV2")

        // Dedup state is back too: a repeat joins the same incident.
        try Send.tcp(#"{"check":"node_down","host":"n1"}"# + "\n", port: daemon.port(of: "ingest-tcp"))
        try waitUntil("the repeat joined incident #1") { try daemon.show(1)["occurrences"] as? Int == 4 }
        #expect(try daemon.incidents().count == 2)
    }

    /// With `resident_incidents: 0`, every incident not changed by the
    /// last two batches is let go of and read back from the store when an
    /// alert or a command needs it, before and after a restart.
    @Test func incidentsLetGoOfStillDeduplicateResolveAndAcknowledge() throws {
        let config = DaemonProcess.defaultConfig.replacingOccurrences(
            of: #"storage: { sqlite: "$DIR/state/alertd.sqlite" }"#,
            with: #"storage: { sqlite: "$DIR/state/alertd.sqlite", resident_incidents: 0 }"#)
        let daemon = try DaemonProcess(config: config)
        try daemon.start()
        func line(_ check: String, status: String = "firing") -> String { #"{"check":"\#(check)","host":"n1","status":"\#(status)"}"# + "\n" }
        func send(_ check: String, status: String = "firing") throws {
            try Send.tcp(line(check, status: status), port: daemon.port(of: "ingest-tcp"))
        }
        // On one connection, so in order: probe_N opens incident #N.
        try Send.tcp((1...4).map { line("probe_\($0)") }.joined(), port: daemon.port(of: "ingest-tcp"))
        try waitUntil("four incidents") { try daemon.incidents().count == 4 }
        // Two more batches that do not touch them: all four are let go of.
        for filler in ["filler_a", "filler_b"] {
            try send(filler)
            try waitUntil("\(filler) stored") { try daemon.incidents().contains { ($0["title"] as? String)?.contains(filler) == true } }
        }

        try send("probe_1")
        try send("probe_2", status: "resolved")
        try daemon.alertctl(["ack", "3", "--by", "alice"])
        try waitUntil("the repeat counted, the resolve applied") {
            try daemon.show(1)["occurrences"] as? Int == 2 && daemon.show(2)["state"] as? String == "resolved"
        }
        #expect(try daemon.show(3)["state"] as? String == "acknowledged")
        #expect(try daemon.incidents().count == 6, "no incident opened twice")

        daemon.signal(SIGKILL)
        _ = try daemon.waitForExit()
        try daemon.start()
        try send("probe_4")
        try send("probe_2")  // auto-resolved moments ago: reopens
        try waitUntil("the repeat joined #4 and #2 reopened") {
            try daemon.show(4)["occurrences"] as? Int == 2 && daemon.show(2)["state"] as? String == "open"
        }
        try daemon.alertctl(["resolve", "3", "--by", "bob"])
        #expect(try daemon.show(3)["state"] as? String == "resolved")
        #expect(try daemon.incidents().count == 6, "no incident opened twice")
    }

    @Test func sigtermCommitsAndExitsZero() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        try Send.tcp(#"{"check":"x","host":"h"}"# + "\n", port: daemon.port(of: "ingest-tcp"))
        try waitUntil("stored") { try daemon.incidents().count == 1 }
        daemon.signal(SIGTERM)
        #expect(try daemon.waitForExit() == 0)
        try daemon.start()
        #expect(try daemon.incidents().count == 1)
    }
}
