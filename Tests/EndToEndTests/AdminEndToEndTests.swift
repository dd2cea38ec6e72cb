import Foundation
import Testing

/// alertctl's commands against the real daemon, with and without --json.
@Suite(.serialized) struct AdminEndToEndTests {
    @Test func ackResolveNoteSeverityAndTheirRefusals() throws {
        let daemon = try DaemonProcess()
        try daemon.start()
        _ = try daemon.json(["send", "--check", "db_down", "--host", "db-1", "--summary", "db-1 down"])

        let acked = try daemon.alertctl(["ack", "1", "--by", "bob"])
        #expect(acked.status == 0)
        #expect(acked.out.contains("#1"))
        let again = try daemon.alertctl(["ack", "1", "--by", "bob"])
        #expect(again.status == 1)
        #expect(again.err.contains("already acknowledged"))

        #expect(try daemon.alertctl(["severity", "1", "SEV1", "--reason", "customers affected"]).status == 0)
        #expect(try daemon.alertctl(["note", "1", "failover started"]).status == 0)
        #expect(try daemon.alertctl(["resolve", "1", "--by", "bob", "--note", "failed over"]).status == 0)

        let shown = try daemon.show(1)
        #expect(shown["state"] as? String == "resolved")
        #expect(shown["severity"] as? String == "SEV1")
        #expect(shown["resolved_at"] is String)
        let kinds = (shown["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
        #expect(kinds?.filter { !$0.hasPrefix("page_") } == [
            "opened", "alert_attached", "acknowledged", "severity_changed", "note", "resolved", "postmortem_due",
        ])
        #expect(shown["postmortem_due_at"] is String)  // resolved as SEV1: a review is due

        let missing = try daemon.alertctl(["show", "99"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("no incident #99"))

        // People-facing output.
        let table = try daemon.alertctl(["incidents", "--state", "all"])
        #expect(table.out.contains("#1") && table.out.contains("db-1 down"))
        let text = try daemon.alertctl(["show", "1"])
        #expect(text.out.contains("failover started"))
        // A resolved incident is not in the default (active) list.
        #expect(try daemon.incidents(state: "open").isEmpty)
    }

    @Test func unreachableDaemonIsAClearError() throws {
        let result = try DaemonProcess.run("alertctl", ["--socket", "/nonexistent/control.sock", "stats"])
        #expect(result.status == 69)
        #expect(result.err.contains("cannot reach alertd"))
    }
}
