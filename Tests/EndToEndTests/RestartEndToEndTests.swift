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
