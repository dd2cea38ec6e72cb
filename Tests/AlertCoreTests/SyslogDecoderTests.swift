import Foundation
import Testing

@testable import AlertCore

/// Fixtures under `Fixtures/syslog/good/logger-*` are the exact bytes util-linux
/// `logger` 2.38.1 sent to a UDP / Unix stream listener; `rsyslog-*` are hand-written
/// in rsyslog's forwarding formats.
@Suite("Syslog decoder")
struct SyslogDecoderTests {
    /// 2026-11-23T22:10:00Z, just after the fixtures were captured.
    static let now = Date(timeIntervalSince1970: 1_795_471_800)

    static func decode(_ bytes: [UInt8], listener: String = "ingest-udp") -> Result<Alert, DecodeError> {
        SyslogDecoder.decode(bytes, listener: listener, now: now)
    }

    static func decode(_ text: String) -> Result<Alert, DecodeError> { decode(Array(text.utf8)) }

    static func fixture(_ name: String) throws -> Result<Alert, DecodeError> {
        decode(try Fixture.bytes("syslog/\(name)"))
    }

    static func utc(_ text: String) -> Date? { RFC3339.parse(text) }

    @Test("logger --rfc5424 with structured data")
    func logger5424() throws {
        let alert = try Self.fixture("good/logger-rfc5424-sd.log").get()
        #expect(alert.check == "myapp")
        #expect(alert.host == "vm")
        #expect(alert.summary == "disk full")
        #expect(alert.source == "syslog")
        #expect(alert.format == "syslog")
        #expect(alert.listener == "ingest-udp")
        #expect(alert.severity == .sev2)
        #expect(alert.status == .firing)
        #expect(alert.dedupKey == nil)
        #expect(alert.description == nil)
        #expect(alert.timestamp == Self.utc("2026-11-23T22:08:09.476032Z"))
        #expect(
            alert.labels == [
                "syslog_severity": "err", "syslog_facility": "user", "team": "storage", "tzKnown": "1",
                "isSynced": "0",
            ])
    }

    @Test("logger --rfc3164 over UDP, with a HOSTNAME")
    func logger3164() throws {
        let alert = try Self.fixture("good/logger-rfc3164-udp.log").get()
        #expect(alert.check == "myapp")
        #expect(alert.host == "vm")
        #expect(alert.summary == "disk full")
        #expect(alert.severity == .sev2)
        #expect(alert.timestamp == Self.utc("2026-11-23T22:08:09Z"))
        #expect(alert.labels == ["syslog_severity": "err", "syslog_facility": "user"])
        #expect(alert.format == "syslog")
    }

    @Test("logger -u SOCKET: local format without a HOSTNAME, trailing newline")
    func loggerLocal() throws {
        let alert = try Self.fixture("good/logger-local-unix.log").get()
        #expect(alert.check == "myapp")
        #expect(alert.host == nil)
        #expect(alert.summary == "local message")
        #expect(alert.severity == .sev4)
        #expect(alert.timestamp == Self.utc("2026-11-23T22:08:10Z"))
        #expect(alert.labels == ["syslog_severity": "notice", "syslog_facility": "user", "pid": "30951"])
    }

    @Test("RFC 5424 without a timestamp, with PROCID and MSGID, SD `-`")
    func loggerNoTime() throws {
        let alert = try Self.fixture("good/logger-rfc5424-notime-msgid.log").get()
        #expect(alert.check == "backup")
        #expect(alert.host == "vm")
        #expect(alert.summary == "backup late")
        #expect(alert.severity == .sev3)
        #expect(alert.timestamp == nil)
        #expect(
            alert.labels == ["syslog_severity": "warning", "syslog_facility": "local3", "pid": "30905", "msgid": "ID47"])
    }

    @Test("SD escapes; a param repeated in a later SD element wins")
    func escapedStructuredData() throws {
        let alert = try Self.fixture("good/logger-rfc5424-escaped-sd.log").get()
        #expect(alert.check == "dbwatch")
        #expect(alert.severity == .sev1)
        #expect(alert.summary == "replica lag")
        #expect(alert.labels["path"] == #"C:\tmp"x]y"#)
        #expect(alert.labels["team"] == "db")
        #expect(alert.labels["env"] == "prod")
        #expect(alert.labels["syslog_facility"] == "daemon")
        #expect(alert.labels["syslog_severity"] == "crit")
    }

    @Test("a blank MSG leaves summary nil but check set")
    func blankMessage() throws {
        let alert = try Self.fixture("good/logger-rfc5424-blank-msg.log").get()
        #expect(alert.check == "sshd")
        #expect(alert.summary == nil)
        #expect(alert.severity == nil)
        #expect(alert.labels == ["syslog_severity": "info", "syslog_facility": "auth", "pid": "31036"])
        #expect(alert.title == "vm: sshd")
    }

    @Test("rsyslog RFC 3164 with a space-padded day")
    func paddedDay() throws {
        let alert = try Self.fixture("good/rsyslog-3164-padded-day.log").get()
        #expect(alert.check == "nginx")
        #expect(alert.host == "web-1")
        #expect(alert.summary == "upstream timed out (110: Connection timed out)")
        #expect(alert.severity == nil)
        #expect(alert.timestamp == Self.utc("2026-11-03T04:05:06Z"))
        #expect(alert.labels == ["syslog_severity": "info", "syslog_facility": "daemon", "pid": "812"])
    }

    @Test("rsyslog RFC 3164 with an RFC 3339 timestamp (RSYSLOG_ForwardFormat)")
    func rfc3339In3164() throws {
        let alert = try Self.fixture("good/rsyslog-3164-rfc3339.log").get()
        #expect(alert.check == "sshd")
        #expect(alert.host == "web-1")
        #expect(alert.summary == "Accepted publickey for deploy")
        #expect(alert.timestamp == Self.utc("2026-11-23T19:10:00.123456Z"))
        #expect(alert.labels == ["syslog_severity": "info", "syslog_facility": "authpriv", "pid": "4242"])
    }

    @Test("RFC 5424 with a BOM before MSG, CRLF, several SD elements")
    func bom() throws {
        let alert = try Self.fixture("good/rsyslog-5424-bom.log").get()
        #expect(alert.check == "evntslog")
        #expect(alert.host == "mymachine.example.com")
        #expect(alert.summary == "An application event log entry...")
        #expect(alert.severity == .sev4)
        #expect(alert.timestamp == Self.utc("2026-11-23T20:10:00.003Z"))
        #expect(
            alert.labels == [
                "syslog_severity": "notice", "syslog_facility": "local4", "msgid": "ID47", "iut": "3",
                "eventSource": "Application", "eventID": "1011", "class": "high",
            ])
    }

    @Test(
        "every severity 0–7",
        arguments: [
            (0, "emerg", Severity.sev1), (1, "alert", .sev1), (2, "crit", .sev1), (3, "err", .sev2),
            (4, "warning", .sev3), (5, "notice", .sev4), (6, "info", nil), (7, "debug", nil),
        ] as [(Int, String, Severity?)])
    func severities(code: Int, keyword: String, severity: Severity?) throws {
        for pri in [code, 8 + code, 184 + code] {
            for line in ["<\(pri)>1 - h app - - - m", "<\(pri)>Nov 23 20:10:00 h app: m"] {
                let alert = try Self.decode(line).get()
                #expect(alert.severity == severity, "\(line)")
                #expect(alert.labels["syslog_severity"] == keyword, "\(line)")
            }
        }
    }

    @Test(
        "every facility keyword",
        arguments: Array(
            [
                "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
                "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4",
                "local5", "local6", "local7",
            ].enumerated()))
    func facilities(code: Int, keyword: String) throws {
        let alert = try Self.decode("<\(code * 8 + 3)>1 - h app - - - m").get()
        #expect(alert.labels["syslog_facility"] == keyword)
        #expect(alert.labels["syslog_severity"] == "err")
    }

    @Test(
        "header variations",
        arguments: [
            // (line, check, host, summary, pid)
            ("<13>1 - - - - - -", "syslog", nil, nil, nil),
            ("<13>1 - - - - - - ", "syslog", nil, nil, nil),
            ("<13>1 - host - - - - hello", "syslog", "host", "hello", nil),
            ("<13>1 - host app - - [a@1 k=\"v\"]", "app", "host", nil, nil),
            ("<13>Nov 23 20:10:00 host app: hello", "app", "host", "hello", nil),
            ("<13>Nov 23 20:10:00 app: hello", "app", nil, "hello", nil),
            ("<13>Nov 23 20:10:00 app[7]: hello", "app", nil, "hello", "7"),
            ("<13>Nov 23 20:10:00 host app[7] hello", "app", "host", "hello", "7"),
            ("<13>Nov 23 20:10:00 host just words", "syslog", "host", "just words", nil),
            ("<13>Nov 23 20:10:00 host", "syslog", "host", nil, nil),
            ("<13>Nov 3 20:10:00 host app: hello", "app", "host", "hello", nil),
            ("<13>app: no timestamp", "app", nil, "no timestamp", nil),
            ("<13>no header at all", "syslog", nil, "no header at all", nil),
            ("<13>", "syslog", nil, nil, nil),
            ("<0>Nov 23 20:10:00 host app:\t  \r\n", "app", "host", nil, nil),
        ] as [(String, String, String?, String?, String?)])
    func variations(line: String, check: String, host: String?, summary: String?, pid: String?) throws {
        let alert = try Self.decode(line).get()
        #expect(alert.check == check)
        #expect(alert.host == host)
        #expect(alert.summary == summary)
        #expect(alert.labels["pid"] == pid)
        #expect(alert.source == "syslog")
        #expect(alert.format == "syslog")
    }

    @Test("RFC 3164 timestamps take the current UTC year, the previous one across New Year")
    func bsdYear() throws {
        let newYear = Date(timeIntervalSince1970: 1_767_225_660)  // 2026-01-01T00:01:00Z
        let december = SyslogDecoder.decode(Array("<13>Dec 31 23:59:00 h a: m".utf8), listener: "", now: newYear)
        #expect(try december.get().timestamp == Self.utc("2025-12-31T23:59:00Z"))
        let january = SyslogDecoder.decode(Array("<13>Jan  1 00:00:30 h a: m".utf8), listener: "", now: newYear)
        #expect(try january.get().timestamp == Self.utc("2026-01-01T00:00:30Z"))
        // An impossible date is no timestamp; the line still decodes.
        let bad = try Self.decode("<13>Nov 31 20:10:00 h a: m").get()
        #expect(bad.timestamp == nil)
    }

    @Test("SD params never override the header labels")
    func headerLabelsWin() throws {
        let alert = try Self.decode(#"<13>1 - h app 42 MID [x@1 pid="9" msgid="no" syslog_severity="x"] m"#).get()
        #expect(alert.labels["pid"] == "42")
        #expect(alert.labels["msgid"] == "MID")
        #expect(alert.labels["syslog_severity"] == "notice")
    }

    @Test(
        "malformed fixtures are refused with a clear message",
        arguments: [
            ("bad/no-pri.log", "starts with \"<PRI>\""),
            ("bad/pri-out-of-range.log", "PRI 192 is out of range 0–191"),
            ("bad/pri-unclosed.log", "not closed with \">\""),
            ("bad/rfc5424-too-few-fields.log", "too few fields"),
            ("bad/rfc5424-unterminated-sd.log", "unterminated"),
        ])
    func badFixtures(path: String, message: String) throws {
        let error = try #require(try Self.fixture(path).failure)
        #expect(error.reason == .malformed)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test(
        "malformed lines",
        arguments: [
            ("", "starts with \"<PRI>\""),
            ("13>1 - - - - - -", "starts with \"<PRI>\""),
            ("<>1 - - - - - -", "PRI must be a number"),
            ("<x>hello", "PRI must be a number"),
            ("<-1>hello", "PRI must be a number"),
            ("<1000>hello", "more than 3 digits"),
            ("<999>hello", "out of range"),
            ("<13", "not closed"),
            ("<13>1 - h app - -", "too few fields"),
            ("<13>1 - h app - - ", "too few fields"),
            ("<13>1 -", "too few fields"),
            ("<13>1 - h app - - hello", "STRUCTURED-DATA must be"),
            ("<13>1 - h app - - -hello", "followed by a space"),
            (#"<13>1 - h app - - [x@1 k="v""#, "unterminated"),
            (#"<13>1 - h app - - [x@1 k="v] m"#, "unterminated"),
            (#"<13>1 - h app - - [x@1 k="v\"] m"#, "unterminated"),
            ("<13>1 - h app - - [x@1", "unterminated"),
            ("<13>1 - h app - - [] m", "without an SD-ID"),
            ("<13>1 - h app - - [x@1 k=v] m", "name=\"value\""),
        ])
    func malformed(line: String, message: String) throws {
        let error = try #require(Self.decode(line).failure)
        #expect(error.reason == .malformed)
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("the public entry point passes the listener through")
    func publicEntryPoint() throws {
        let alert = try SyslogDecoder.decode(try Fixture.line("syslog/good/logger-rfc3164-udp.log"), listener: "ingest-unix").get()
        #expect(alert.listener == "ingest-unix")
        #expect(alert.check == "myapp")
    }
}
