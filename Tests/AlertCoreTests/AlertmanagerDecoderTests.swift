import Foundation
import Testing

@testable import AlertCore

@Suite("Alertmanager decoder") struct AlertmanagerDecoderTests {
    static let now = testEpoch

    static func one(_ json: String) -> Result<Alert, DecodeError> {
        switch AlertmanagerDecoder.decode(Array(json.utf8), listener: "http", now: now) {
        case .failure(let error): return .failure(error)
        case .success(let results): return results[0]
        }
    }

    @Test func mapsWhatPrometheusSends() throws {
        let alert = try Self.one("""
            [{"labels":{"alertname":"disk_full","instance":"db-1:9100","severity":"critical","team":"storage"},
              "annotations":{"summary":"disk / is 97% full","description":"only 3% left"},
              "startsAt":"2025-12-31T23:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom:9090/graph"}]
            """).get()
        #expect(alert.check == "disk_full")
        #expect(alert.host == "db-1:9100")
        #expect(alert.severity == .sev1)
        #expect(alert.summary == "disk / is 97% full")
        #expect(alert.description == "only 3% left")
        #expect(alert.labels == ["team": "storage"])
        #expect(alert.status == .firing)  // the zero endsAt means unset
        #expect(alert.format == "alertmanager")
    }

    /// What Prometheus 2.42 really sends (see Fixtures/alertmanager/README.md).
    @Test func prometheusFiringAndResolvedFixtures() throws {
        func decode(_ name: String, at now: String) throws -> Alert {
            let results = try AlertmanagerDecoder.decode(
                Fixture.bytes("alertmanager/\(name)"), listener: "http", now: try #require(RFC3339.parse(now))
            ).get()
            #expect(results.count == 1)
            return try results[0].get()
        }
        let firing = try decode("prometheus-2.42-firing.json", at: "2026-11-23T23:27:57Z")
        #expect(firing.check == "AlwaysFiring")
        #expect(firing.severity == .sev1)
        #expect(firing.summary == "always firing")
        #expect(firing.description == "a rule that always fires")
        #expect(firing.labels == ["team": "infra"])
        #expect(firing.status == .firing)
        #expect(firing.endsAt == RFC3339.parse("2026-11-23T23:28:06.566Z"))  // resolves then unless refreshed
        #expect(firing.timestamp == RFC3339.parse("2026-11-23T23:27:56.566Z"))

        let resolved = try decode("prometheus-2.42-resolved.json", at: "2026-11-23T23:28:30.600Z")
        #expect(resolved.status == .resolved)
        #expect(resolved.endsAt == nil)
        #expect(Fingerprint.of(resolved) == Fingerprint.of(firing))  // the same alert
    }

    @Test func anEndInThePastResolvesAndHostBeatsInstance() throws {
        let alert = try Self.one(#"[{"labels":{"alertname":"x","host":"h","instance":"i"},"endsAt":"2025-01-01T00:00:00Z"}]"#).get()
        #expect(alert.status == .resolved)
        #expect(alert.host == "h")
        #expect(alert.labels == ["instance": "i"])
        let future = try Self.one(#"[{"labels":{"alertname":"x"},"endsAt":"2030-01-01T00:00:00Z"}]"#).get()
        #expect(future.status == .firing)
        #expect(future.endsAt == RFC3339.parse("2030-01-01T00:00:00Z"))
    }

    @Test(
        "what the spec calls invalid is refused, naming the field",
        arguments: [
            (#"[{"annotations":{}}]"#, "labels"),
            (#"[{"labels":{}}]"#, "labels"),
            (#"[{"labels":{"a":1}}]"#, "labels"),
            (#"[{"labels":{"alertname":"x"},"startsAt":"yesterday"}]"#, "startsAt"),
            (#"[{"labels":{"alertname":"x"},"endsAt":5}]"#, "endsAt"),
            (#"[{"labels":{"alertname":"x"},"generatorURL":"not a uri"}]"#, "generatorURL"),
            (#"[{"labels":{"alertname":"x"},"annotations":{"summary":true}}]"#, "annotations"),
            (#"[7]"#, "object"),
        ])
    func invalid(json: String, field: String) throws {
        guard case .failure(let error) = Self.one(json) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(error.message.contains(field))
    }

    @Test func notAnArrayIsRefusedWhole() {
        guard case .failure(let error) = AlertmanagerDecoder.decode(Array(#"{"labels":{}}"#.utf8), listener: "h", now: Self.now)
        else {
            Issue.record("accepted an object")
            return
        }
        #expect(error.message.contains("array"))
    }
}

@Suite("generatorURL must be a URI")
struct GeneratorURLTests {
    @Test(
        "URIs pass",
        arguments: [
            "http://prometheus:9090/graph?g0.expr=up%3D%3D0&g0.tab=1", "https://p.example/graph", "urn:x-alert:1",
            "git+ssh://h/x", "mailto:ops@example.com",
        ])
    func uris(text: String) {
        #expect(AlertmanagerDecoder.isURI(text))
    }

    @Test(
        "other text is refused",
        arguments: ["not a uri", "/graph", ":x", "1http://h", "http://h/a b", "http://h/\u{e9}", "http://h/<x>", "http://h/\"q\""])
    func notURIs(text: String) {
        #expect(!AlertmanagerDecoder.isURI(text))
    }
}
