import AlertCore
import AlertIO
import AsyncHTTPClient
import Crypto
import Foundation
import Testing

@Suite("Webhook notifier", .eventLoopGroup)
struct WebhookNotifierTests {
    /// A sink answering from `script`, and a client shared as the daemon shares it.
    func withSink(
        _ script: [HTTPSink.Reply] = [], _ body: (HTTPSink, HTTPClient) async throws -> Void
    ) async throws {
        let group = try EventLoopGroupTrait.group
        let sink = try await HTTPSink.start(group: group, script: script)
        let client = HTTPClient(eventLoopGroupProvider: .shared(group))
        do {
            try await body(sink, client)
        } catch {
            try? await client.shutdown()
            try? await sink.close()
            throw error
        }
        try await client.shutdown()
        try await sink.close()
    }

    func url(_ sink: HTTPSink, _ path: String = "/hook") -> String { "http://127.0.0.1:\(sink.port)\(path)" }

    @Test("500, 500, 200: retry, retry, sent — with the same Idempotency-Key every time")
    func retryThenSent() async throws {
        try await withSink([.status(500, body: "db down"), .status(500), .status(200)]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .generic, client: client)
            let page = samplePage()
            let first = await notifier.deliver(page)
            #expect(first == .retry(reason: "HTTP 500 Internal Server Error: db down", after: nil))
            guard case .retry = await notifier.deliver(page) else {
                Issue.record("second attempt should retry")
                return
            }
            #expect(await notifier.deliver(page) == .sent)
            #expect(sink.requests.count == 3)
            #expect(sink.requests.map { $0.header("Idempotency-Key") } == Array(repeating: "alertd-42-7", count: 3))
        }
    }

    @Test("POST to the configured path with Content-Type, Idempotency-Key and the configured headers")
    func requestShape() async throws {
        try await withSink { sink, client in
            let notifier = try WebhookNotifier(
                url: url(sink, "/api/hook?team=infra"), format: .generic,
                headers: [("Authorization", "Bearer t0ken"), ("X-Team", "infra"), ("X-Team", "ops")], client: client)
            #expect(await notifier.deliver(samplePage()) == .sent)
            let request = try #require(sink.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/api/hook?team=infra")
            #expect(request.header("Content-Type") == "application/json")
            #expect(request.header("Idempotency-Key") == "alertd-42-7")
            #expect(request.header("Authorization") == "Bearer t0ken")
            #expect(request.headers("X-Team") == ["infra", "ops"])
            #expect(request.header("X-Alertd-Signature") == nil)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
            #expect(json["idempotency_key"] as? String == "alertd-42-7")
        }
    }

    @Test("a configured Content-Type replaces application/json")
    func contentTypeOverride() async throws {
        try await withSink { sink, client in
            let notifier = try WebhookNotifier(
                url: url(sink), format: .slack, headers: [("content-type", "text/plain")], client: client)
            #expect(await notifier.deliver(samplePage()) == .sent)
            #expect(try #require(sink.requests.first).headers("Content-Type") == ["text/plain"])
        }
    }

    @Test("X-Alertd-Signature is the HMAC-SHA256 of the received body under the file's key, newline trimmed")
    func signature() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "s3cret-key\n".write(toFile: dir.file("hook.key"), atomically: true, encoding: .utf8)
        try await withSink { sink, client in
            let notifier = try WebhookNotifier(
                url: url(sink), format: .alertmanager, hmacSecretFile: dir.file("hook.key"), client: client)
            #expect(await notifier.deliver(samplePage()) == .sent)
            let request = try #require(sink.requests.first)
            let header = try #require(request.header("X-Alertd-Signature"))
            #expect(header.hasPrefix("sha256="))
            let key = SymmetricKey(data: Data("s3cret-key".utf8))
            let mac = try #require(Data(hexString: String(header.dropFirst("sha256=".count))))
            #expect(HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(request.body), using: key))
            #expect(header == header.lowercased())
            #expect(header.count == "sha256=".count + 64)
            let other = SymmetricKey(data: Data("s3cret-key\n".utf8))
            #expect(!HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Data(request.body), using: other))
        }
    }

    @Test("429 with Retry-After: 7 retries after 7 s")
    func tooManyRequests() async throws {
        try await withSink([.status(429, headers: [("Retry-After", "7")])]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .slack, client: client)
            #expect(await notifier.deliver(samplePage()) == .retry(reason: "HTTP 429 Too Many Requests", after: 7))
        }
    }

    @Test("503 with an HTTP-date Retry-After retries after about that long")
    func retryAfterDate() async throws {
        let start = Date()
        let when = start.addingTimeInterval(120)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        try await withSink([.status(503, headers: [("Retry-After", formatter.string(from: when))])]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .generic, client: client)
            guard case .retry(_, let after?) = await notifier.deliver(samplePage()) else {
                Issue.record("expected a retry with a delay")
                return
            }
            // The date names a second; whatever time the exchange took (a
            // loaded machine) has passed off the 120 s.
            let elapsed = Date().timeIntervalSince(start)
            #expect((120 - elapsed - 2...121).contains(after), "after \(after) s, \(elapsed) s elapsed")
        }
    }

    @Test("404 is permanent")
    func notFound() async throws {
        try await withSink([.status(404, body: "no such hook")]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .generic, client: client)
            #expect(await notifier.deliver(samplePage()) == .permanent(reason: "HTTP 404 Not Found: no such hook"))
        }
    }

    @Test("a receiver that never answers: retry once the timeout passes")
    func timeout() async throws {
        try await withSink([.silence]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .generic, timeout: 0.5, client: client)
            let clock = ContinuousClock()
            let start = clock.now
            let result = await notifier.deliver(samplePage())
            let elapsed = clock.now - start
            guard case .retry(let reason, nil) = result else {
                Issue.record("expected retry, got \(result)")
                return
            }
            #expect(reason.contains("0.5"))
            #expect(elapsed >= .milliseconds(450))
            #expect(elapsed < .seconds(20))  // the sink never answers: any finite end is the timeout's
            #expect(sink.requests.count == 1)
        }
    }

    @Test("a receiver that sends a status but never the body: the deadline still ends the attempt")
    func stalledBody() async throws {
        try await withSink([.headOnly(503)]) { sink, client in
            let notifier = try WebhookNotifier(url: url(sink), format: .generic, timeout: 0.5, client: client)
            let clock = ContinuousClock()
            let start = clock.now
            let result = await notifier.deliver(samplePage())
            #expect(clock.now - start < .seconds(20))  // the body never comes: ending at all is the deadline's doing
            #expect(outcomeName(result) == "retry")
        }
    }

    @Test("connection refused: retry")
    func connectionRefused() async throws {
        let group = try EventLoopGroupTrait.group
        let closed = try await HTTPSink.start(group: group)
        let port = closed.port
        try await closed.close()
        let client = HTTPClient(eventLoopGroupProvider: .shared(group))
        let notifier = try WebhookNotifier(
            url: "http://127.0.0.1:\(port)/hook", format: .generic, timeout: 1, client: client)
        let result = await notifier.deliver(samplePage())
        try await client.shutdown()
        guard case .retry(let reason, nil) = result else {
            Issue.record("connection refused should retry, got \(result)")
            return
        }
        // The pool retries the connect until the deadline, then reports why.
        #expect(reason.contains("refused"))
    }

    @Test("a template body goes out as rendered")
    func templateOverTheWire() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try #"{"msg":"{{subject}}","id":{{incident.id}}}"#.write(
            toFile: dir.file("t.mustache"), atomically: true, encoding: .utf8)
        try await withSink { sink, client in
            let notifier = try WebhookNotifier(
                url: url(sink), format: .template(path: dir.file("t.mustache")), client: client)
            #expect(await notifier.deliver(samplePage()) == .sent)
            let body = String(decoding: try #require(sink.requests.first).body, as: UTF8.self)
            #expect(body == #"{"msg":"[SEV1] #42 node-7: disk full","id":42}"#)
        }
    }

    @Test(
        "setup errors are thrown at init",
        arguments: [
            ("ftp://example.com/hook", [(String, String)](), nil as String?, WebhookNotifier.Format.generic),
            ("not a url", [], nil, .generic),
            ("http://example.com/hook", [("X-Evil", "a\r\nInjected: yes")], nil, .generic),
            ("http://example.com/hook", [("Idempotency-Key", "mine")], nil, .generic),
            ("http://example.com/hook", [("Bad Name", "x")], nil, .generic),
            ("http://example.com/hook", [], "/nonexistent/hook.key", .generic),
            ("http://example.com/hook", [], nil, .template(path: "/nonexistent/t.mustache")),
            ("http://example.com/hook", [], nil, .pagerduty(routingKey: "")),
        ])
    func setupErrors(url: String, headers: [(String, String)], secret: String?, format: WebhookNotifier.Format)
        async throws
    {
        let client = HTTPClient(eventLoopGroupProvider: .shared(try EventLoopGroupTrait.group))
        #expect(throws: NotifierSetupError.self) {
            _ = try WebhookNotifier(url: url, format: format, headers: headers, hmacSecretFile: secret, client: client)
        }
        try await client.shutdown()
    }

    @Test("an empty secret file is a setup error")
    func emptySecret() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "\n".write(toFile: dir.file("empty.key"), atomically: true, encoding: .utf8)
        let client = HTTPClient(eventLoopGroupProvider: .shared(try EventLoopGroupTrait.group))
        #expect(throws: NotifierSetupError.self) {
            _ = try WebhookNotifier(
                url: "http://example.com/", format: .generic, hmacSecretFile: dir.file("empty.key"), client: client)
        }
        try await client.shutdown()
    }
}

@Suite("Webhook outcomes")
struct WebhookOutcomeTests {
    @Test(
        "status codes map to sent, retry or permanent (Alertmanager's rule)",
        arguments: [
            (200, "sent"), (201, "sent"), (202, "sent"), (204, "sent"),
            (429, "retry"), (500, "retry"), (502, "retry"), (503, "retry"), (504, "retry"),
            (301, "permanent"), (400, "permanent"), (401, "permanent"), (403, "permanent"), (404, "permanent"),
            (410, "permanent"), (413, "permanent"), (422, "permanent"),
        ])
    func statusTable(code: Int, expected: String) {
        let outcome: String
        switch WebhookNotifier.result(status: code, now: pageTime) {
        case .sent: outcome = "sent"
        case .retry: outcome = "retry"
        case .permanent: outcome = "permanent"
        }
        #expect(outcome == expected)
    }

    @Test(
        "Retry-After: seconds and the three HTTP-date forms",
        arguments: [
            ("7", 7.0 as TimeInterval?), (" 120 ", 120), ("0", 0),
            ("Mon, 23 Nov 2026 20:11:00 GMT", 60),  // IMF-fixdate
            ("Monday, 23-Nov-26 20:12:00 GMT", 120),  // RFC 850
            ("Mon Nov 23 20:10:30 2026", 30),  // asctime
            ("Sun, 22 Nov 2026 20:10:00 GMT", 0),  // in the past
            ("soon", nil), ("-5", nil), ("", nil), ("1.5", nil),
        ])
    func retryAfter(value: String, expected: TimeInterval?) {
        #expect(RetryAfter.parse(value, now: pageTime) == expected)
    }

    @Test("asctime pads a one-digit day with a space")
    func asctimePadding() {
        let now = Date(timeIntervalSince1970: 1_794_000_000)  // 2026-11-06T21:20:00Z
        #expect(RetryAfter.parse("Fri Nov  6 21:21:00 2026", now: now) == 60)
    }
}

extension Data {
    init?(hexString: String) {
        guard hexString.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        var index = hexString.startIndex
        while index < hexString.endIndex {
            let next = hexString.index(index, offsetBy: 2)
            guard let byte = UInt8(hexString[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
