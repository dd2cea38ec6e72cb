import AlertCore
import AlertIO
import Foundation
import Testing

/// Parses a body back into plain JSON.
func jsonObject(_ data: Data, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], sourceLocation: sourceLocation)
}

@Suite("Webhook payloads")
struct WebhookPayloadTests {
    @Test("generic: alertd's incident JSON with alerts, timeline and a null status update")
    func generic() throws {
        let json = try jsonObject(try GenericPayloadEncoder().encode(samplePage()))
        #expect(
            Set(json.keys) == [
                "version", "kind", "receiver", "idempotency_key", "subject", "text", "incident", "status_update",
            ])
        #expect(json["version"] as? String == "1")
        #expect(json["kind"] as? String == "declared")
        #expect(json["receiver"] as? String == "oncall")
        #expect(json["idempotency_key"] as? String == "alertd-42-7")
        #expect(json["subject"] as? String == "[SEV1] #42 node-7: disk full")
        #expect(json["text"] as? String == "Incident declared: SEV1 — node-7: disk full\nAlerts: 1 firing")
        #expect(json["status_update"] is NSNull)
        let incident = try #require(json["incident"] as? [String: Any])
        #expect(incident["id"] as? Int == 42)
        #expect(incident["title"] as? String == "node-7: disk full")
        #expect(incident["severity"] as? String == "SEV1")
        #expect(incident["state"] as? String == "open")
        #expect(incident["opened_at"] as? String == "2026-11-23T20:10:00Z")
        #expect(incident["resolved_at"] is NSNull)
        let alerts = try #require(incident["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        #expect(alerts[0]["check"] as? String == "disk_full")
        #expect(alerts[0]["host"] as? String == "node-7")
        #expect(alerts[0]["labels"] as? [String: String] == ["mount": "/var", "team": "infra"])
        let timeline = try #require(incident["timeline"] as? [[String: Any]])
        #expect(timeline.first?["kind"] as? String == "opened")
        // And it reads back as the Codable type.
        let decoded = try JSONDecoder().decode(
            GenericPayload.self, from: try GenericPayloadEncoder().encode(samplePage()))
        #expect(decoded == GenericPayload(samplePage()))
    }

    @Test("generic: a status update is an object")
    func genericStatusUpdate() throws {
        let update = StatusUpdate(status: .mitigating, impact: "writes fail", next: "grow volume", by: "alice")
        let json = try jsonObject(
            try GenericPayloadEncoder().encode(samplePage(kind: .statusUpdate, statusUpdate: update)))
        #expect(json["kind"] as? String == "status_update")
        let object = try #require(json["status_update"] as? [String: String])
        #expect(object == ["status": "mitigating", "impact": "writes fail", "next": "grow volume", "by": "alice"])
    }

    @Test("slack: one text field, subject then text")
    func slack() throws {
        let json = try jsonObject(try SlackPayloadEncoder().encode(samplePage()))
        #expect(Set(json.keys) == ["text"])
        #expect(
            json["text"] as? String
                == "[SEV1] #42 node-7: disk full\nIncident declared: SEV1 — node-7: disk full\nAlerts: 1 firing")
    }

    // The fields Alertmanager's webhook_config documents for version 4.
    static let alertmanagerKeys: Set<String> = [
        "version", "groupKey", "truncatedAlerts", "status", "receiver", "groupLabels", "commonLabels",
        "commonAnnotations", "externalURL", "alerts",
    ]
    static let alertmanagerAlertKeys: Set<String> = [
        "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint",
    ]

    @Test("alertmanager: version 4 payload for a firing incident")
    func alertmanagerFiring() throws {
        let json = try jsonObject(
            try AlertmanagerPayloadEncoder(externalURL: "https://alertd.example").encode(samplePage()))
        #expect(Set(json.keys) == Self.alertmanagerKeys)
        #expect(json["version"] as? String == "4")
        #expect(json["status"] as? String == "firing")
        #expect(json["receiver"] as? String == "oncall")
        #expect(json["groupKey"] as? String == "fp:c1d2e3f4a5b6c7d")
        #expect(json["truncatedAlerts"] as? Int == 0)
        #expect(json["externalURL"] as? String == "https://alertd.example")
        #expect(json["groupLabels"] as? [String: String] == ["alertname": "disk_full"])
        let common = try #require(json["commonLabels"] as? [String: String])
        #expect(common["alertname"] == "disk_full")
        #expect(common["severity"] == "critical")
        #expect(json["commonAnnotations"] as? [String: String] == ["summary": "disk full on /var"])

        let alerts = try #require(json["alerts"] as? [[String: Any]])
        #expect(alerts.count == 1)
        let alert = alerts[0]
        #expect(Set(alert.keys) == Self.alertmanagerAlertKeys)
        #expect(alert["status"] as? String == "firing")
        #expect(
            alert["labels"] as? [String: String]
                == [
                    "alertname": "disk_full", "instance": "node-7", "severity": "critical", "mount": "/var",
                    "team": "infra",
                ])
        #expect(alert["annotations"] as? [String: String] == ["summary": "disk full on /var"])
        #expect(alert["startsAt"] as? String == "2026-11-23T20:10:00Z")
        #expect(alert["endsAt"] as? String == "0001-01-01T00:00:00Z")
        #expect(alert["generatorURL"] is String)
        #expect(alert["fingerprint"] as? String == "c1d2e3f4a5b6c7d")
    }

    @Test("alertmanager: a resolved page is status resolved with endsAt set")
    func alertmanagerResolved() throws {
        let json = try jsonObject(try AlertmanagerPayloadEncoder().encode(samplePage(kind: .resolved)))
        #expect(json["status"] as? String == "resolved")
        let alert = try #require((json["alerts"] as? [[String: Any]])?.first)
        #expect(alert["status"] as? String == "resolved")
        #expect(alert["endsAt"] as? String == "2026-11-23T20:11:00Z")
        #expect(RFC3339.parse(try #require(alert["endsAt"] as? String)) != nil)
    }

    @Test("alertmanager: an instance label wins over host; maxAlerts counts the rest in truncatedAlerts")
    func alertmanagerLabelsAndTruncation() throws {
        let alerts = (0..<3).map { i in
            IncidentAlert(
                incidentID: 42, fingerprint: "fp\(i)", check: "cpu_high", host: "node-\(i)", source: nil, summary: nil,
                status: .firing, severity: .sev3, labels: ["instance": "node-\(i):9100"],
                firstSeen: pageTime.addingTimeInterval(Double(i)), lastSeen: pageTime, count: 1)
        }
        let payload = AlertmanagerPayload(samplePage(alerts: alerts), maxAlerts: 2)
        #expect(payload.alerts.map(\.fingerprint) == ["fp0", "fp1"])
        #expect(payload.truncatedAlerts == 1)
        #expect(payload.alerts[0].labels["instance"] == "node-0:9100")
        #expect(payload.alerts[0].labels["severity"] == "warning")
        #expect(payload.alerts[0].annotations == [:])
        #expect(payload.commonLabels == ["alertname": "cpu_high", "severity": "warning"])
        #expect(payload.commonAnnotations == [:])
    }

    // PagerDuty Events API v2 (specs/pagerduty-events-v2.openapi.json), by hand:
    // the request requires routing_key and event_action (trigger|acknowledge|resolve);
    // Payload requires summary, severity (critical|warning|error|info) and source.
    static let eventActions: Set<String> = ["trigger", "acknowledge", "resolve"]
    static let pagerDutySeverities: Set<String> = ["critical", "warning", "error", "info"]

    func checkPagerDutySchema(_ json: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(json["routing_key"] is String, sourceLocation: sourceLocation)
        #expect(
            Self.eventActions.contains(try #require(json["event_action"] as? String)), sourceLocation: sourceLocation)
        #expect(json["dedup_key"] is String, sourceLocation: sourceLocation)
        let payload = try #require(json["payload"] as? [String: Any], sourceLocation: sourceLocation)
        let summary = try #require(payload["summary"] as? String, sourceLocation: sourceLocation)
        #expect(!summary.isEmpty && summary.count <= 1024, sourceLocation: sourceLocation)
        #expect(payload["source"] is String, sourceLocation: sourceLocation)
        #expect(
            Self.pagerDutySeverities.contains(try #require(payload["severity"] as? String)),
            sourceLocation: sourceLocation)
        let timestamp = try #require(payload["timestamp"] as? String, sourceLocation: sourceLocation)
        #expect(RFC3339.parse(timestamp) != nil, "timestamp is a date-time", sourceLocation: sourceLocation)
        #expect(payload["custom_details"] is [String: Any], sourceLocation: sourceLocation)
        let known: Set<String> = [
            "summary", "timestamp", "severity", "source", "component", "group", "class", "custom_details",
        ]
        #expect(Set(payload.keys).isSubset(of: known), sourceLocation: sourceLocation)
        let topKnown: Set<String> = [
            "payload", "routing_key", "event_action", "dedup_key", "client", "client_url", "links", "images",
        ]
        #expect(Set(json.keys).isSubset(of: topKnown), sourceLocation: sourceLocation)
    }

    @Test("pagerduty: a trigger event that satisfies the Events v2 schema")
    func pagerDutyTrigger() throws {
        let json = try jsonObject(
            try PagerDutyPayloadEncoder(routingKey: "e93facc04764012d7bfb002500d5d1a6").encode(samplePage()))
        try checkPagerDutySchema(json)
        #expect(json["routing_key"] as? String == "e93facc04764012d7bfb002500d5d1a6")
        #expect(json["event_action"] as? String == "trigger")
        #expect(json["dedup_key"] as? String == "alertd-42")
        let payload = try #require(json["payload"] as? [String: Any])
        #expect(payload["summary"] as? String == "[SEV1] #42 node-7: disk full")
        #expect(payload["source"] as? String == "node-7")
        #expect(payload["severity"] as? String == "critical")
        #expect(payload["timestamp"] as? String == "2026-11-23T20:10:05Z")
        let details = try #require(payload["custom_details"] as? [String: Any])
        #expect(details["incident_id"] as? Int == 42)
        #expect(details["kind"] as? String == "declared")
    }

    @Test("pagerduty: a resolved page resolves the same dedup_key")
    func pagerDutyResolve() throws {
        let json = try jsonObject(try PagerDutyPayloadEncoder(routingKey: "k").encode(samplePage(kind: .resolved)))
        try checkPagerDutySchema(json)
        #expect(json["event_action"] as? String == "resolve")
        #expect(json["dedup_key"] as? String == "alertd-42")
    }

    @Test(
        "pagerduty: severities SEV1…SEV4 map to critical, error, warning, info",
        arguments: zip(Severity.allCases, ["critical", "error", "warning", "info"]))
    func pagerDutySeverity(severity: Severity, expected: String) throws {
        var page = samplePage()
        page.incident.severity = severity
        let json = try jsonObject(try PagerDutyPayloadEncoder(routingKey: "k").encode(page))
        try checkPagerDutySchema(json)
        #expect((json["payload"] as? [String: Any])?["severity"] as? String == expected)
    }

    @Test("pagerduty: a long summary is cut to 1024 characters; several hosts give source alertd")
    func pagerDutyLimits() throws {
        let alerts = ["a", "b"].map { host in
            IncidentAlert(
                incidentID: 42, fingerprint: host, check: "x", host: host, source: nil, summary: nil, status: .firing,
                severity: .sev2, labels: [:], firstSeen: pageTime, lastSeen: pageTime, count: 1)
        }
        let page = samplePage(subject: String(repeating: "é", count: 3000), alerts: alerts)
        let json = try jsonObject(try PagerDutyPayloadEncoder(routingKey: "k").encode(page))
        try checkPagerDutySchema(json)
        let payload = try #require(json["payload"] as? [String: Any])
        #expect((payload["summary"] as? String)?.count == 1024)
        #expect(payload["source"] as? String == "alertd")
    }

    @Test("template: the generic fields, JSON-escaped by default, sections over lists and the status update")
    func template() throws {
        let template = #"""
            {"subject":"{{subject}}","id":{{incident.id}},"sev":"{{incident.severity}}","kind":"{{kind}}",
             "checks":[{{#incident.alerts}}"{{check}}@{{host}}"{{/incident.alerts}}],
             "ic":"{{incident.roles.ic}}","raw":"{{{receiver}}}"{{#status_update}},"status":"{{status}}"{{/status_update}}
             {{^status_update}},"no_update":true{{/status_update}}{{#resolved}},"resolved":true{{/resolved}}}
            """#
        let encoder = try MustachePayloadEncoder(template: template)
        let tricky = samplePage(title: "node-7: \"disk\" full\n\\ on /var")
        let json = try jsonObject(try encoder.encode(tricky))
        #expect(json["subject"] as? String == "[SEV1] #42 node-7: \"disk\" full\n\\ on /var")
        #expect(json["id"] as? Int == 42)
        #expect(json["sev"] as? String == "SEV1")
        #expect(json["kind"] as? String == "declared")
        #expect(json["checks"] as? [String] == ["disk_full@node-7"])
        #expect(json["ic"] as? String == "alice")
        #expect(json["raw"] as? String == "oncall")
        #expect(json["no_update"] as? Bool == true)
        #expect(json["status"] == nil)
        #expect(json["resolved"] == nil)

        let update = StatusUpdate(status: .monitoring, impact: "none", next: "watch", by: "bob")
        let updated = try jsonObject(try encoder.encode(samplePage(kind: .resolved, statusUpdate: update)))
        #expect(updated["status"] as? String == "monitoring")
        #expect(updated["no_update"] == nil)
        #expect(updated["resolved"] as? Bool == true)
    }

    @Test("template: CONTENT_TYPE TEXT turns escaping off")
    func templateText() throws {
        let encoder = try MustachePayloadEncoder(template: "{{% CONTENT_TYPE: TEXT}}{{subject}} <{{text}}>")
        let body = String(decoding: try encoder.encode(samplePage(text: "a \"b\" & c")), as: UTF8.self)
        #expect(body == "[SEV1] #42 node-7: disk full <a \"b\" & c>")
    }

    @Test("template: a template that does not parse, or a missing file, is a setup error")
    func templateErrors() throws {
        #expect(throws: NotifierSetupError.self) { _ = try MustachePayloadEncoder(template: "{{#incident}}unclosed") }
        let error = #expect(throws: NotifierSetupError.self) {
            _ = try MustachePayloadEncoder(template: "{\n  \"a\": \"{{#x}}{{/y}}\"\n}")
        }
        #expect(error?.description.hasPrefix("line 2, column") == true, "\(String(describing: error))")
        #expect(throws: NotifierSetupError.self) { _ = try MustachePayloadEncoder(path: "/nonexistent/hook.mustache") }
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try "{{#a}}{{/b}}".write(toFile: dir.file("bad.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: NotifierSetupError.self) { _ = try MustachePayloadEncoder(path: dir.file("bad.mustache")) }
    }
}
