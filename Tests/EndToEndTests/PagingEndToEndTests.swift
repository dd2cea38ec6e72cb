import Foundation
import Testing

/// Pages reaching a real HTTP sink and a sendmail-style command, from the
/// real alertd (SPEC §5).
@Suite(.serialized) struct PagingEndToEndTests {
    /// alertd with SEV1 paging `oncall` (a signed webhook and an email) at
    /// once and `mgr` after 2 s; extra receivers as given.
    static func daemon(sink: WebhookSink, extraReceivers: String = "", sev1Steps: String? = nil) throws -> DaemonProcess {
        let steps = sev1Steps ?? "[{ notify: [oncall] }, { after: 2s, notify: [mgr] }]"
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: ingest-tcp, tcp: "127.0.0.1:0" }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            policies:
              SEV1: { ack_within: 1m, steps: \(steps) }
            receivers:
              oncall:
                - webhook: { url: "\(sink.url("/oncall"))", hmac_secret_file: "$DIR/hook.key" }
                - email: { command: ["$DIR/sendmail", "$DIR/mail"], to: [oncall@example.com], from: alertd@example.com }
              mgr:
                - webhook: { url: "\(sink.url("/mgr"))" }
            \(extraReceivers)
            """)
        try "s3cret\n".write(to: daemon.directory.appendingPathComponent("hook.key"), atomically: true, encoding: .utf8)
        let mail = daemon.directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        let sendmail = daemon.directory.appendingPathComponent("sendmail")
        // Stores what it is given, one file per message, as a mail spool would.
        try "#!/bin/sh\ncat > \"$1/$(date +%s%N).eml\"\n".write(to: sendmail, atomically: true, encoding: .utf8)
        chmod(sendmail.path, 0o755)
        return daemon
    }

    static func incidentID(_ request: WebhookSink.Request) -> Int? {
        (request.json?["incident"] as? [String: Any])?["id"] as? Int
    }

    @Test func sev1PagesEveryChannelAtOnceAndEscalatesWhenNotAcknowledged() throws {
        let sink = try WebhookSink(directory: FileManager.default.temporaryDirectory, secret: "s3cret")
        let daemon = try Self.daemon(sink: sink)
        try daemon.start()
        _ = try daemon.json(["send", "--check", "node_down", "--host", "n1", "--severity", "SEV1"])

        try waitUntil("the webhook gets the declared page") { !sink.requests(to: "/oncall").isEmpty }
        let page = try #require(sink.requests(to: "/oncall").first)
        #expect(page.json?["kind"] as? String == "declared")
        #expect(Self.incidentID(page) == 1)
        #expect(page.headers["idempotency-key"]?.hasPrefix("alertd-1-") == true)
        #expect(page.signatureValid == true, "X-Alertd-Signature must verify with the shared secret")

        // The email: an RFC 5322 message, parsed by Python's email package.
        let mail = daemon.directory.appendingPathComponent("mail")
        var files: [String] = []
        try waitUntil("the sendmail command got a message") {
            files = try FileManager.default.contentsOfDirectory(atPath: mail.path)
            return !files.isEmpty
        }
        let parsed = try Spawn.run("/usr/bin/env", [
            "python3", "-c",
            """
            import email, json, sys
            m = email.message_from_binary_file(open(sys.argv[1], "rb"))
            print(json.dumps({k: str(m[k]) for k in ["Subject", "To", "From", "Date", "Message-ID"]}))
            """,
            mail.appendingPathComponent(files[0]).path,
        ])
        let headers = try #require(try JSONSerialization.jsonObject(with: Data(parsed.out.utf8)) as? [String: String])
        #expect(headers["Subject"] == "[SEV1] #1 n1: node_down")
        #expect(headers["To"] == "oncall@example.com")
        #expect(headers["From"] == "alertd@example.com")
        #expect(headers["Date"]?.isEmpty == false)
        #expect(headers["Message-ID"]?.hasPrefix("<alertd.") == true)

        // Nobody acknowledged: step 2 pages mgr after 2 s.
        try waitUntil("mgr gets the escalation", timeout: 15) { !sink.requests(to: "/mgr").isEmpty }
        let escalation = try #require(sink.requests(to: "/mgr").first)
        #expect(escalation.json?["kind"] as? String == "escalation")
        #expect(escalation.receivedAt.timeIntervalSince(page.receivedAt) >= 1.9)
        // The sink has the request before alertd has recorded the answer: wait for that.
        var kinds: [String] = []
        try waitUntil("every delivery is on the timeline", timeout: 15) {
            kinds = (try daemon.show(1)["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            return kinds.filter { $0 == "page_sent" }.count >= 3
        }
        #expect(kinds.contains("escalated"))
        // Exactly once per channel: webhook, email, mgr.
        #expect(kinds.filter { $0 == "page_sent" }.count == 3)
        #expect(sink.requests(to: "/oncall").count == 1)
        #expect(sink.requests(to: "/mgr").count == 1)
    }

    /// Once a page has gone out, the dispatcher goes back to waiting: it
    /// once woke itself on every wake-up and spun, burning a core while idle.
    @Test func anIdleDaemonAfterPagingStaysIdle() throws {
        let sink = try WebhookSink(directory: FileManager.default.temporaryDirectory, secret: "s3cret")
        let daemon = try Self.daemon(sink: sink, sev1Steps: "[{ notify: [mgr] }]")
        try daemon.start()
        _ = try daemon.json(["send", "--check", "node_down", "--host", "n1", "--severity", "SEV1"])
        try waitUntil("the page went out") { !sink.requests(to: "/mgr").isEmpty }
        try daemon.alertctl(["ack", "1"])
        let before = try daemon.cpuSeconds()
        Thread.sleep(forTimeInterval: 3)  // the idle time itself is what is measured
        let used = try daemon.cpuSeconds() - before
        // Spinning used a whole core (~3 s here); idle is a few milliseconds.
        #expect(used < 1.0, "alertd used \(used) CPU seconds in 3 idle seconds")
    }

    @Test func anAcknowledgedIncidentDoesNotEscalate() throws {
        let sink = try WebhookSink(directory: FileManager.default.temporaryDirectory, secret: "s3cret")
        let daemon = try Self.daemon(sink: sink)
        try daemon.start()
        _ = try daemon.json(["send", "--check", "a", "--host", "h", "--severity", "SEV1"])
        #expect(try daemon.alertctl(["ack", "1", "--by", "alice"]).status == 0)
        _ = try daemon.json(["send", "--check", "b", "--host", "h", "--severity", "SEV1"])
        // #2 escalates after its 2 s; #1, opened earlier, would have escalated first.
        try waitUntil("#2 escalates to mgr", timeout: 15) { sink.requests(to: "/mgr").contains { Self.incidentID($0) == 2 } }
        #expect(!sink.requests(to: "/mgr").contains { Self.incidentID($0) == 1 })
    }

    @Test func aReceiverThatFailsThreeTimesStillGetsThePage() throws {
        let sink = try WebhookSink(
            directory: FileManager.default.temporaryDirectory,
            script: ["/flaky": [(500, 0), (500, 0), (500, 0), (200, 0)]], secret: "s3cret")
        let daemon = try Self.daemon(
            sink: sink,
            extraReceivers: """
                  flaky:
                    channels: [{ webhook: { url: "\(sink.url("/flaky"))" } }]
                    retry_interval: 1s
                """,
            sev1Steps: "[{ notify: [flaky] }]")
        try daemon.start()
        _ = try daemon.json(["send", "--check", "x", "--host", "h", "--severity", "SEV1"])
        try waitUntil("the fourth attempt succeeds", timeout: 30) {
            let kinds = (try daemon.show(1)["timeline"] as? [[String: Any]])?.compactMap { $0["kind"] as? String } ?? []
            return kinds.contains("page_sent")
        }
        // Three 500s, then 200 (a loaded machine may time out and resend once more).
        let attempts = sink.requests(to: "/flaky")
        #expect(attempts.count >= 4)
        #expect(Set(attempts.compactMap { $0.headers["idempotency-key"] }).count == 1, "one page, one key")
        let timeline = try daemon.show(1)["timeline"] as? [[String: Any]] ?? []
        #expect(timeline.filter { $0["kind"] as? String == "page_failed" }.count == 3)
    }

    @Test func killNineBetweenQueueingAndDeliveryStillDelivers() throws {
        // The first request hangs (alertd is mid-delivery when killed); later ones are answered.
        let sink = try WebhookSink(
            directory: FileManager.default.temporaryDirectory, script: ["/oncall": [(200, 60), (200, 0)]], secret: "s3cret")
        let daemon = try Self.daemon(sink: sink, sev1Steps: "[{ notify: [oncall] }]")
        try daemon.start()
        _ = try daemon.json(["send", "--check", "x", "--host", "h", "--severity", "SEV1"])
        try waitUntil("the first delivery is in flight") { sink.requests(to: "/oncall").count == 1 }

        daemon.signal(SIGKILL)
        _ = try daemon.waitForExit()
        try daemon.start()

        try waitUntil("the page is delivered after the restart", timeout: 20) { sink.requests(to: "/oncall").count >= 2 }
        let keys = sink.requests(to: "/oncall").compactMap { $0.headers["idempotency-key"] }
        #expect(Set(keys).count == 1, "the redelivery carries the same Idempotency-Key")
        try waitUntil("page_sent is on the timeline") {
            ((try daemon.show(1)["timeline"] as? [[String: Any]]) ?? []).contains { $0["kind"] as? String == "page_sent" }
        }
    }

    @Test func aSlowReceiverSlowsNeitherIngestionNorAnotherReceiver() throws {
        let sink = try WebhookSink(
            directory: FileManager.default.temporaryDirectory, script: ["/slow": [(200, 10)]], secret: "s3cret")
        let daemon = try Self.daemon(
            sink: sink,
            extraReceivers: """
                  slow:
                    - webhook: { url: "\(sink.url("/slow"))", timeout: 30s }
                  fast:
                    - webhook: { url: "\(sink.url("/fast"))" }
                """,
            sev1Steps: "[{ notify: [slow, fast] }]")
        try daemon.start()
        let sent = Date()
        _ = try daemon.json(["send", "--check", "x", "--host", "h", "--severity", "SEV1"])
        try waitUntil("the fast receiver has its page", timeout: 8) { !sink.requests(to: "/fast").isEmpty }
        let fastAfter = sink.requests(to: "/fast")[0].receivedAt.timeIntervalSince(sent)

        // While the slow receiver holds its request for 10 s, 2,000 alerts go in.
        let start = Date()
        let batch = (0..<2000).map { #"{"check":"load","host":"h\#($0)","severity":"SEV4"}"# }.joined(separator: "\n") + "\n"
        try Send.tcp(batch, port: daemon.port(of: "ingest-tcp"))
        try waitUntil("2,000 alerts are stored", timeout: 30) {
            (try daemon.json(["stats"]) as? [String: Any])?["alerts_received"] as? Int == 2000
        }
        let ingest = Date().timeIntervalSince(start)
        let slowStillOpen = sink.requests(to: "/slow").count == 1
        print("slow receiver (10 s/response): fast receiver paged after \(String(format: "%.3f", fastAfter)) s; 2,000 alerts ingested in \(String(format: "%.3f", ingest)) s")
        #expect(fastAfter < 5, "the fast receiver must not wait for the slow one")
        #expect(slowStillOpen)
    }
}
