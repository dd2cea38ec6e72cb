import Foundation
import Synchronization
import Testing

/// The HTTP listener under abuse (SPEC §2): clients that trickle their
/// request get 408, a full queue gets 429 — both counted, neither fatal.
@Suite(.serialized) struct HTTPLimitsEndToEndTests {
    @Test func slowHeadersAndSlowBodiesGet408AndAreCounted() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: http, http: "127.0.0.1:0" }
            limits: { header_timeout: 1s, read_timeout: 2s }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        try daemon.start()
        let port = try daemon.port(of: "http")

        // Headers that never finish (slowloris): 408, then the connection closes.
        let slowHeaders = try RawTCPClient(port: port)
        try slowHeaders.send("POST /api/v1/alerts HTTP/1.1\r\nHost: alertd\r\n")
        let headerAnswer = slowHeaders.readUntilClosed(timeout: 20)
        #expect(headerAnswer.closed)
        #expect(headerAnswer.text.hasPrefix("HTTP/1.1 408"), "\(headerAnswer.text)")

        // A body that never finishes: the same, once read_timeout has passed.
        let slowBody = try RawTCPClient(port: port)
        try slowBody.send("POST /api/v1/alerts HTTP/1.1\r\nHost: alertd\r\nContent-Length: 100\r\n\r\n{\"check\":")
        let bodyAnswer = slowBody.readUntilClosed(timeout: 20)
        #expect(bodyAnswer.closed)
        #expect(bodyAnswer.text.hasPrefix("HTTP/1.1 408"), "\(bodyAnswer.text)")
        #expect(try daemon.incidents().isEmpty)

        // The clocks start at a request's first byte: a keep-alive connection
        // quiet between requests for longer than header_timeout is served.
        let keepAlive = try RawTCPClient(port: port)
        let request = "GET /healthz HTTP/1.1\r\nHost: alertd\r\n\r\n"
        try keepAlive.send(request)
        #expect(keepAlive.readResponse(until: #""ok"}"#, timeout: 20).hasPrefix("HTTP/1.1 200"))
        Thread.sleep(forTimeInterval: 1.5)  // the quiet time itself is what is tested
        try keepAlive.send(request)
        #expect(keepAlive.readResponse(until: #""ok"}"#, timeout: 20).hasPrefix("HTTP/1.1 200"))

        // A later request on the same connection gets its own header_timeout,
        // counted from its own first byte: started 0.6 s into the previous
        // request's second, it is answered 408 no sooner than 1 s after it
        // began (not when the previous request's time would have run out),
        // and no later than the test's deadline.
        let trickling = try RawTCPClient(port: port)
        try trickling.send(request)
        #expect(trickling.readResponse(until: #""ok"}"#, timeout: 20).hasPrefix("HTTP/1.1 200"))
        Thread.sleep(forTimeInterval: 0.6)  // into the first request's second, on purpose
        let began = ContinuousClock.now
        try trickling.send("POST /api/v1/alerts HTTP/1.1\r\nHost: alertd\r\n")
        let trickled = trickling.readUntilClosed(timeout: 20)
        let waited = ContinuousClock.now - began
        #expect(trickled.closed)
        #expect(trickled.text.hasPrefix("HTTP/1.1 408"), "\(trickled.text)")
        #expect(waited >= .seconds(1), "answered 408 after \(waited), before its own header_timeout")

        let metrics = try HTTPEndToEndTests.curl(["http://127.0.0.1:\(port)/metrics"]).text
        #expect(metrics.contains(#"alertd_alerts_rejected_total{listener="http",reason="timeout"} 3"#), "\(metrics)")
    }

    @Test func aFullQueueIsAnswered429WithRetryAfterAndNothingIsLost() throws {
        let daemon = try DaemonProcess(config: """
            listen:
              - { name: http, http: "127.0.0.1:0" }
            limits: { max_queued: 3 }
            storage: { sqlite: "$DIR/state/alertd.sqlite" }
            control: { socket: "$DIR/control.sock" }
            """)
        try daemon.start()
        let url = "http://127.0.0.1:\(try daemon.port(of: "http"))/api/v1/alerts"
        @Sendable func batch(_ name: String) -> String {
            "[" + (1...3).map { #"{"check":"\#(name)-\#($0)","host":"h"}"# }.joined(separator: ",") + "]"
        }

        // With the store locked by another process the pipeline is stuck on
        // its first batch, one more batch fits in the queue, the rest are refused.
        let lock = try SQLiteWriteLock(path: daemon.directory.appendingPathComponent("state/alertd.sqlite").path)
        let answers = Mutex<[String: (status: Int, retryAfter: String)]>([:])
        let senders = ["a", "b", "c"].map { name in
            let thread = Thread {
                let result = try? Spawn.run(
                    "/usr/bin/curl",
                    ["-s", "-o", "/dev/null", "-w", "%{http_code} %header{retry-after}", "-H", "Content-Type: application/json",
                     "--data", batch(name), url])
                let fields = (result?.out ?? "").split(separator: " ").map(String.init)
                answers.withLock { $0[name] = (Int(fields.first ?? "") ?? 0, fields.count > 1 ? fields[1] : "") }
            }
            thread.start()
            return thread
        }
        defer { lock.release() }
        do {
            try waitUntil("a request is refused", timeout: 20) { answers.withLock { $0.values.contains { $0.status == 429 } } }
        } catch {
            Issue.record("answers so far: \(answers.withLock { $0 }); log: \(daemon.output)")
            throw error
        }
        lock.release()
        try waitUntil("every request is answered", timeout: 20) { answers.withLock { $0.count } == senders.count }

        let final = answers.withLock { $0 }
        let refused = final.filter { $0.value.status == 429 }
        let stored = final.filter { $0.value.status == 200 }
        #expect(refused.count + stored.count == 3, "\(final)")
        #expect(refused.allSatisfy { $0.value.retryAfter == "1" })
        // What was answered 200 is stored; what was refused is not, and
        // goes in once the sender retries.
        #expect(try daemon.incidents().count == stored.count * 3)
        for name in refused.keys {
            #expect(try HTTPEndToEndTests.curl(["-H", "Content-Type: application/json", "--data", batch(name), url]).status == 200)
        }
        #expect(try daemon.incidents().count == 9)
        let metrics = try HTTPEndToEndTests.curl([url.replacingOccurrences(of: "/api/v1/alerts", with: "/metrics")]).text
        #expect(metrics.contains(#"alertd_alerts_rejected_total{listener="http",reason="overload"} \#(refused.count * 3)"#))
    }
}
