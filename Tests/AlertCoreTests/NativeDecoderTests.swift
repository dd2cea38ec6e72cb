import Foundation
import Testing

@testable import AlertCore

@Suite("Native JSON decoder")
struct NativeDecoderTests {
    static func decode(_ fixture: String, listener: String = "ingest-udp") throws -> Result<Alert, DecodeError> {
        NativeAlertDecoder.decode(try Fixture.line(fixture), listener: listener)
    }

    @Test("a typical node-agent alert")
    func nodeAgent() throws {
        let alert = try Self.decode("native/good/node-agent.json").get()
        #expect(alert.check == "disk_full")
        #expect(alert.host == "node-7")
        #expect(alert.source == "node-agent")
        #expect(alert.summary == "disk / is 97% full")
        #expect(alert.description == "Filesystem / on node-7 has 1.2 GiB left of 40 GiB.")
        #expect(alert.severity == .sev1)
        #expect(alert.status == .firing)
        #expect(alert.labels == ["team": "storage", "mount": "/"])
        #expect(alert.dedupKey == nil)
        #expect(alert.timestamp == Date(timeIntervalSince1970: 1_795_464_600))
        #expect(alert.listener == "ingest-udp")
        #expect(alert.format == "json")
        #expect(alert.title == "node-7: disk / is 97% full")
    }

    @Test("alertname is an alias of check")
    func alertnameAlias() throws {
        let alert = try Self.decode("native/good/alertname-alias.json").get()
        #expect(alert.check == "HighRequestLatency")
        #expect(alert.severity == .sev2)
        #expect(alert.source == "prometheus")
        #expect(alert.labels == ["job": "api", "instance": "api-3:9100", "env": "prod"])
        #expect(alert.timestamp == nil)
    }

    @Test("check wins over alertname when both are given")
    func checkBeatsAlertname() throws {
        let alert = try NativeAlertDecoder.decode(Array(#"{"check":"a","alertname":"b"}"#.utf8), listener: "x").get()
        #expect(alert.check == "a")
    }

    @Test("a numeric timestamp is Unix seconds")
    func numericTimestamp() throws {
        let alert = try Self.decode("native/good/numeric-timestamp.json").get()
        #expect(alert.check == "backup_late")
        #expect(alert.severity == .sev3)
        #expect(alert.timestamp == testEpoch)
    }

    @Test("a resolved alert, status in any case, timestamp with offset and fraction")
    func resolved() throws {
        let alert = try Self.decode("native/good/resolved.json").get()
        #expect(alert.status == .resolved)
        #expect(alert.severity == nil)
        #expect(alert.timestamp == Date(timeIntervalSince1970: 1_795_466_400.25))
    }

    @Test("summary alone is enough and also names the check")
    func summaryOnly() throws {
        let alert = try Self.decode("native/good/summary-only.json").get()
        #expect(alert.check == "UPS on rack 4 switched to battery")
        #expect(alert.summary == "UPS on rack 4 switched to battery")
        #expect(alert.host == nil)
        #expect(alert.status == .firing)
        #expect(alert.labels.isEmpty)
    }

    @Test("dedup_key is kept and becomes the fingerprint")
    func dedupKey() throws {
        let alert = try Self.decode("native/good/dedup-key.json").get()
        #expect(alert.dedupKey == "cert-shop.example")
        #expect(alert.severity == .sev4)
        #expect(alert.labels.isEmpty)
        #expect(Fingerprint.of(alert) == "cert-shop.example")
    }

    @Test("null fields are absent and unknown fields are ignored")
    func nullsAndExtras() throws {
        let alert = try Self.decode("native/good/extra-fields-and-nulls.json").get()
        #expect(alert.check == "ntp_drift")
        #expect(alert.host == nil)
        #expect(alert.summary == nil)
        #expect(alert.severity == nil)
        #expect(alert.labels.isEmpty)
        #expect(alert.timestamp == nil)
    }

    @Test(
        "bad payloads are refused as malformed, naming the problem",
        arguments: [
            ("native/bad/not-json.txt", "not valid JSON"),
            ("native/bad/truncated.json", "not valid JSON"),
            ("native/bad/array.json", "expected a JSON object"),
            ("native/bad/missing-check-and-summary.json", "\"check\" (or \"alertname\") or \"summary\" is required"),
            ("native/bad/label-not-string.json", "label \"port\" must be a string"),
            ("native/bad/labels-not-object.json", "\"labels\" must be an object"),
            ("native/bad/bad-severity.json", "urgent"),
            ("native/bad/bad-status.json", "pending"),
            ("native/bad/bad-timestamp.json", "yesterday at noon"),
            ("native/bad/check-not-string.json", "\"check\" must be a string"),
        ])
    func badFixture(fixture: String, message: String) throws {
        let error = try #require(try Self.decode(fixture).failure, "\(fixture) decoded")
        #expect(error.reason == .malformed)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.description.hasPrefix("malformed: "))
    }

    @Test(
        "timestamps: RFC 3339 in any offset, with or without fractions, or Unix seconds",
        arguments: [
            (#""2026-01-01T00:00:00Z""#, 1_767_225_600.0),
            (#""2026-01-01T01:00:00+01:00""#, 1_767_225_600),
            (#""2025-12-31T19:00:00-05:00""#, 1_767_225_600),
            (#""2026-01-01T00:00:00.5Z""#, 1_767_225_600.5),
            (#""2026-01-01T00:00:00.123456Z""#, 1_767_225_600.123456),
            ("1767225600", 1_767_225_600),
            ("1767225600.75", 1_767_225_600.75),
            (#""1767225600""#, 1_767_225_600),
            ("2", 2),
        ])
    func timestamps(json: String, seconds: Double) throws {
        let alert = try NativeAlertDecoder.decode(Array(#"{"check":"x","timestamp":\#(json)}"#.utf8), listener: "x")
            .get()
        let timestamp = try #require(alert.timestamp)
        #expect(abs(timestamp.timeIntervalSince1970 - seconds) < 0.001, "\(timestamp.timeIntervalSince1970)")
    }

    @Test("Unix seconds 0 and 1 are timestamps, not booleans", arguments: ["0", "1", "0.0", "1.0"])
    func zeroAndOneSeconds(json: String) throws {
        let alert = try NativeAlertDecoder.decode(Array(#"{"check":"x","timestamp":\#(json)}"#.utf8), listener: "x")
            .get()
        #expect(alert.timestamp == Date(timeIntervalSince1970: Double(json)!))
    }

    @Test("RFC 3339 allows lowercase t and z")
    func lowercaseRFC3339() throws {
        let alert = try NativeAlertDecoder.decode(
            Array(#"{"check":"x","timestamp":"2026-01-01t00:00:00z"}"#.utf8), listener: "x"
        ).get()
        #expect(alert.timestamp == testEpoch)
    }

    @Test(
        "bad timestamps are refused",
        arguments: ["true", #""2026-13-01T00:00:00Z""#, #""2026-01-01""#, #""next tuesday""#, "{}", "[1]"])
    func badTimestamps(json: String) throws {
        let result = NativeAlertDecoder.decode(Array(#"{"check":"x","timestamp":\#(json)}"#.utf8), listener: "x")
        let error = try #require(result.failure, "accepted \(json)")
        #expect(error.reason == .malformed)
        #expect(error.message.contains("timestamp"))
    }

    @Test(
        "every non-string text field is refused by name",
        arguments: [
            "check", "alertname", "summary", "description", "host", "source", "status", "severity", "dedup_key",
        ])
    func nonStringFields(field: String) throws {
        let json = field == "check" || field == "alertname" ? #"{"\#(field)":7}"# : #"{"check":"x","\#(field)":7}"#
        let error = try #require(NativeAlertDecoder.decode(Array(json.utf8), listener: "x").failure)
        #expect(error.message == "\"\(field)\" must be a string")
    }

    @Test("severity accepts every synonym", arguments: SeverityTests.synonyms)
    func severitySynonyms(text: String, expected: Severity) throws {
        let alert = try NativeAlertDecoder.decode(
            Array(#"{"check":"x","severity":"\#(text.uppercased())"}"#.utf8), listener: "x"
        ).get()
        #expect(alert.severity == expected)
    }

    @Test("an empty check and no summary is refused")
    func emptyCheck() throws {
        let error = try #require(NativeAlertDecoder.decode(Array(#"{"check":""}"#.utf8), listener: "x").failure)
        #expect(error.reason == .malformed)
    }

    @Test("an empty check falls back to the summary, like an absent one")
    func emptyCheckUsesSummary() throws {
        let alert = try NativeAlertDecoder.decode(Array(#"{"check":"","summary":"disk full"}"#.utf8), listener: "x").get()
        #expect(alert.check == "disk full")
    }

    @Test("decodes an already-parsed object (HTTP arrays)")
    func decodeObject() throws {
        let alert = try NativeAlertDecoder.decode(
            object: .object([
                ("check", .string("disk_full")), ("host", .string("node-7")),
                ("labels", .object([("team", .string("storage"))])), ("timestamp", .number("1767225600")),
            ]),
            listener: "http"
        ).get()
        #expect(alert.check == "disk_full")
        #expect(alert.labels == ["team": "storage"])
        #expect(alert.timestamp == testEpoch)
        #expect(alert.listener == "http")
        let error = try #require(NativeAlertDecoder.decode(object: .object([("host", .string("node-7"))]), listener: "http").failure)
        #expect(error.reason == .malformed)
    }

    @Test("RFC3339.format prints UTC with seconds and reads back")
    func rfc3339Format() throws {
        #expect(RFC3339.format(testEpoch) == "2026-01-01T00:00:00Z")
        let date = Date(timeIntervalSince1970: 1_795_464_600)
        #expect(try #require(RFC3339.parse(RFC3339.format(date))) == date)
    }
}
