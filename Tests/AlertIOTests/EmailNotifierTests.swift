import AlertCore
import AlertIO
import Foundation
import Testing

@Suite("Email notifier")
struct EmailNotifierTests {
    /// A message as the sendmail-style script stored it.
    struct Stored {
        var raw: [UInt8]
        var headers: [(name: String, value: String)]
        var body: String

        init(_ raw: [UInt8]) throws {
            self.raw = raw
            let text = String(decoding: raw, as: UTF8.self)
            let parts = text.components(separatedBy: "\r\n\r\n")
            try #require(parts.count >= 2, "no blank line between headers and body")
            // Unfold continuation lines (CRLF + space).
            let block = parts[0].replacingOccurrences(of: "\r\n ", with: " ")
            headers = try block.components(separatedBy: "\r\n").map { line in
                let colon = try #require(line.firstIndex(of: ":"), "not a header line: \(line)")
                return (String(line[..<colon]), String(line[line.index(after: colon)...].dropFirst()))
            }
            body = parts.dropFirst().joined(separator: "\r\n\r\n")
        }

        func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
    }

    /// Delivers `page` through a script that stores stdin in a file named by
    /// its first argument.
    func deliverAndRead(
        _ page: PageMessage, to: [String] = ["oncall@example.com", "ops@example.com"]
    ) async throws -> (DeliveryResult, Stored) {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(dir, "sendmail", #"cat > "$1""#)
        let notifier = try EmailNotifier(
            command: [script, dir.file("out.eml")], to: to, from: "alertd@example.com", hostname: "alertd-host")
        let result = await notifier.deliver(page)
        let raw = try #require(FileManager.default.contents(atPath: dir.file("out.eml")), "the command got no message")
        return (result, try Stored(Array(raw)))
    }

    @Test("the stored message has every header, CRLF line ends, and the page text as body")
    func message() async throws {
        let (result, stored) = try await deliverAndRead(samplePage())
        #expect(result == .sent)
        #expect(stored.header("From") == "alertd@example.com")
        #expect(stored.header("To") == "oncall@example.com, ops@example.com")
        #expect(stored.header("Message-ID") == "<alertd.alertd-42-7@alertd-host>")
        #expect(stored.header("Subject") == "[SEV1] #42 node-7: disk full")
        #expect(stored.header("MIME-Version") == "1.0")
        #expect(stored.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(stored.header("Content-Transfer-Encoding") == "8bit")
        #expect(stored.header("Auto-Submitted") == "auto-generated")
        #expect(stored.header("X-Alertd-Incident") == "42")
        let date = try #require(stored.header("Date"))
        #expect(
            date.wholeMatch(of: /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000/)
                != nil)
        #expect(stored.body == "Incident declared: SEV1 — node-7: disk full\r\nAlerts: 1 firing\r\n")
        // Every LF is part of a CRLF.
        for (i, byte) in stored.raw.enumerated() where byte == UInt8(ascii: "\n") {
            #expect(i > 0 && stored.raw[i - 1] == UInt8(ascii: "\r"))
        }
    }

    @Test("CR/LF in the title cannot add a header: the subject is flattened to one line")
    func headerInjection() async throws {
        let (result, stored) = try await deliverAndRead(
            samplePage(title: "node-7: disk full\r\nBcc: evil@example.com\nX-Evil: 1"))
        #expect(result == .sent)
        #expect(stored.header("Subject") == "[SEV1] #42 node-7: disk full Bcc: evil@example.com X-Evil: 1")
        #expect(stored.header("Bcc") == nil)
        #expect(stored.header("X-Evil") == nil)
    }

    @Test("a non-ASCII subject is RFC 2047 encoded and decodes back")
    func encodedSubject() async throws {
        let title = "nœud-7: disque plein — " + String(repeating: "é", count: 40)
        let (_, stored) = try await deliverAndRead(samplePage(title: title))
        let subject = try #require(stored.header("Subject"))
        let words = subject.split(separator: " ")
        var bytes: [UInt8] = []
        for word in words {
            #expect(word.hasPrefix("=?UTF-8?B?") && word.hasSuffix("?="))
            #expect(word.count <= 75)
            let base64 = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
            bytes += try #require(Data(base64Encoded: String(base64)))
        }
        #expect(String(decoding: bytes, as: UTF8.self) == "[SEV1] #42 " + title)
    }

    @Test("RFC 5322 date")
    func date() {
        #expect(EmailMessage.rfc5322Date(pageTime) == "Mon, 23 Nov 2026 20:10:00 +0000")
        #expect(EmailMessage.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test("exit 75 (EX_TEMPFAIL) retries with stderr's first line")
    func tempfail() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(
            dir, "sendmail", "cat >/dev/null\necho 'queue file write error' >&2\necho 'second line' >&2\nexit 75")
        let notifier = try EmailNotifier(command: [script], to: ["a@example.com"], from: "alertd@example.com")
        #expect(
            await notifier.deliver(samplePage())
                == .retry(reason: "exit 75 (EX_TEMPFAIL): queue file write error", after: nil))
    }

    @Test(
        "exit statuses: 0 sent; 1, 69, 74, 75 retry; 64, 65, 67, 78 permanent",
        arguments: [
            (0, "sent"), (1, "retry"), (2, "retry"), (69, "retry"), (74, "retry"), (75, "retry"),
            (64, "permanent"), (65, "permanent"), (67, "permanent"), (78, "permanent"),
        ])
    func exitStatus(code: Int, expected: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(dir, "sendmail", "cat >/dev/null\nexit \(code)")
        let notifier = try EmailNotifier(command: [script], to: ["a@example.com"], from: "alertd@example.com")
        #expect(outcomeName(await notifier.deliver(samplePage())) == expected)
    }

    @Test("a missing sendmail is permanent, by path or by name")
    func missingBinary() async throws {
        for command in [["/nonexistent/sbin/sendmail", "-t"], ["alertd-no-such-sendmail", "-t"]] {
            let notifier = try EmailNotifier(command: command, to: ["a@example.com"], from: "alertd@example.com")
            guard case .permanent = await notifier.deliver(samplePage()) else {
                Issue.record("\(command[0]) should be permanent")
                continue
            }
        }
    }

    @Test("a command that hangs is killed, with what it started, and retried")
    func timeout() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // The shell starts a child and waits: the whole process group must go.
        let script = try writeScript(dir, "sendmail", #"sleep 30 & echo $! > "$1"; wait"#)
        let notifier = try EmailNotifier(
            command: [script, dir.file("child.pid")], to: ["a@example.com"], from: "alertd@example.com", timeout: 0.5)
        let clock = ContinuousClock()
        let start = clock.now
        let result = await notifier.deliver(samplePage())
        // The child sleeps 30 s: finishing well before that means it was killed, not waited for.
        #expect(clock.now - start < .seconds(20))
        guard case .retry(let reason, nil) = result else {
            Issue.record("expected retry, got \(result)")
            return
        }
        #expect(reason.contains("did not finish within 0.5s"))
        let pidText = try String(contentsOfFile: dir.file("child.pid"), encoding: .utf8)
        let pid = try #require(Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)))
        try await waitUntil("the child sleep is gone") { processIsGone(pid) }
    }

    @Test("a command that exits 0 without reading its stdin: sent (no SIGPIPE, no broken-pipe failure)")
    func ignoresStdin() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(dir, "sendmail", "exit 0")
        let notifier = try EmailNotifier(command: [script], to: ["a@example.com"], from: "alertd@example.com")
        let big = samplePage(text: String(repeating: "x", count: 900) + String(repeating: "\nline", count: 100_000))
        #expect(await notifier.deliver(big) == .sent)
    }

    @Test("alert text is never an argument: argv reaches the command exactly as configured")
    func argvUntouched() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let script = try writeScript(dir, "sendmail", #"cat >/dev/null; for a in "$@"; do echo "$a"; done > "$1""#)
        let notifier = try EmailNotifier(
            command: [script, dir.file("args"), "-t", "-oi", "$(touch pwned)"], to: ["a@example.com"],
            from: "x@example.com")
        #expect(await notifier.deliver(samplePage(title: "`touch pwned2`; $(id)")) == .sent)
        let args = try String(contentsOfFile: dir.file("args"), encoding: .utf8)
        #expect(args == "\(dir.file("args"))\n-t\n-oi\n$(touch pwned)\n")
    }

    @Test("setup errors: no command, no recipients")
    func setupErrors() {
        #expect(throws: NotifierSetupError.self) {
            _ = try EmailNotifier(command: [], to: ["a@example.com"], from: "x@example.com")
        }
        #expect(throws: NotifierSetupError.self) {
            _ = try EmailNotifier(command: ["sendmail"], to: [], from: "x@example.com")
        }
    }
}

func outcomeName(_ result: DeliveryResult) -> String {
    switch result {
    case .sent: return "sent"
    case .retry: return "retry"
    case .permanent: return "permanent"
    }
}
