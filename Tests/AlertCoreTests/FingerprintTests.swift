import Foundation
import Testing

@testable import AlertCore

@Suite("Fingerprint")
struct FingerprintTests {
    static let nodeAgent = Alert(
        check: "disk_full", summary: "disk / is 97% full", host: "node-7", source: "node-agent",
        severity: .sev1, labels: ["team": "storage", "mount": "/"])

    /// Fingerprints are stored: these values must never change. They were
    /// computed independently (FNV-1a 64 over the fields, each followed by
    /// 0xff; its low 60 bits as 15 hex digits — 2026-12 dropped the 16th,
    /// the first, and migrated stored ones: `MigrationTests`).
    @Test(
        "known fingerprints stay the same across versions",
        arguments: [
            (nodeAgent, "4541feb2d0892ad"),
            (Alert(check: "heartbeat"), "eab645bdd1bf15a"),
            (Alert(check: "c60"), "09601933a1d808b"),  // a leading zero
            (Alert(check: "disk_full", host: "db-1", labels: ["env": "prod"]), "b0f0aff3db83cd3"),
        ])
    func pinned(alert: Alert, expected: String) {
        #expect(Fingerprint.of(alert) == expected)
    }

    @Test("is 15 lowercase hex digits")
    func shape() {
        for alert in [Self.nodeAgent, Alert(check: ""), Alert(check: "x", host: "y")] {
            let fingerprint = Fingerprint.of(alert)
            #expect(fingerprint.count == 15)
            #expect(fingerprint.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(fingerprint)")
        }
    }

    @Test("does not depend on label insertion order")
    func labelOrder() {
        let pairs = (0..<40).map { ("label\($0)", "value\($0)") }
        var forward = Alert(check: "disk_full", host: "node-7")
        for (key, value) in pairs { forward.labels[key] = value }
        var backward = Alert(check: "disk_full", host: "node-7")
        for (key, value) in pairs.reversed() { backward.labels[key] = value }
        var grown = Alert(check: "disk_full", host: "node-7", labels: Dictionary(minimumCapacity: 1000))
        for (key, value) in pairs.shuffled() { grown.labels[key] = value }
        #expect(Fingerprint.of(forward) == Fingerprint.of(backward))
        #expect(Fingerprint.of(forward) == Fingerprint.of(grown))
    }

    @Test(
        "ignores summary, description, timestamp, severity, status, listener and format",
        arguments: [
            "summary", "description", "timestamp", "severity", "no severity", "status", "listener", "format",
        ])
    func ignoresText(field: String) {
        var changed = Self.nodeAgent
        switch field {
        case "summary": changed.summary = "disk / is 99% full"
        case "description": changed.description = "something else entirely"
        case "timestamp": changed.timestamp = Date(timeIntervalSince1970: 42)
        case "severity": changed.severity = .sev4
        case "no severity": changed.severity = nil
        case "status": changed.status = .resolved
        case "listener": changed.listener = "http"
        case "format": changed.format = "syslog"
        default: Issue.record("unknown field \(field)")
        }
        #expect(Fingerprint.of(changed) == Fingerprint.of(Self.nodeAgent))
    }

    @Test(
        "changes with source, host, check, a label key or a label value",
        arguments: ["source", "host", "no host", "check", "label value", "label key", "extra label", "fewer labels"])
    func identityFields(field: String) {
        var changed = Self.nodeAgent
        switch field {
        case "source": changed.source = "prometheus"
        case "host": changed.host = "node-8"
        case "no host": changed.host = nil
        case "check": changed.check = "disk_almost_full"
        case "label value": changed.labels["mount"] = "/var"
        case "label key": changed.labels = ["team": "storage", "mountpoint": "/"]
        case "extra label": changed.labels["env"] = "prod"
        case "fewer labels": changed.labels.removeValue(forKey: "mount")
        default: Issue.record("unknown field \(field)")
        }
        #expect(Fingerprint.of(changed) != Fingerprint.of(Self.nodeAgent))
    }

    @Test("field boundaries are kept: (\"ab\",\"c\") differs from (\"a\",\"bc\")")
    func separation() {
        #expect(Fingerprint.of(Alert(check: "c", host: "ab")) != Fingerprint.of(Alert(check: "bc", host: "a")))
        #expect(
            Fingerprint.of(Alert(check: "x", host: "ab", source: "c"))
                != Fingerprint.of(Alert(check: "x", host: "bc", source: "a")))
        #expect(
            Fingerprint.of(Alert(check: "x", host: "h", source: ""))
                != Fingerprint.of(Alert(check: "x", host: "", source: "h")))
        #expect(
            Fingerprint.of(Alert(check: "x", labels: ["ab": "c"]))
                != Fingerprint.of(Alert(check: "x", labels: ["a": "bc"])))
        #expect(
            Fingerprint.of(Alert(check: "x", labels: ["a": "b", "c": ""]))
                != Fingerprint.of(Alert(check: "x", labels: ["a": "bc"])))
        #expect(
            Fingerprint.of(Alert(check: "xa", labels: ["b": "c"]))
                != Fingerprint.of(Alert(check: "x", labels: ["a": "b", "c": ""])))
    }

    @Test("dedup_key overrides the computed fingerprint")
    func dedupKey() {
        var alert = Self.nodeAgent
        alert.dedupKey = "cert-shop.example"
        #expect(Fingerprint.of(alert) == "cert-shop.example")
        alert.host = "somewhere-else"
        alert.labels = [:]
        #expect(Fingerprint.of(alert) == "cert-shop.example")
    }

    @Test("an empty dedup_key is ignored")
    func emptyDedupKey() {
        var alert = Self.nodeAgent
        alert.dedupKey = ""
        #expect(Fingerprint.of(alert) == Fingerprint.of(Self.nodeAgent))
    }

    @Test("the fingerprint of a decoded fixture is the pinned one")
    func decodedFixture() throws {
        let alert = try NativeAlertDecoder.decode(Fixture.line("native/good/node-agent.json"), listener: "ingest-udp")
            .get()
        #expect(Fingerprint.of(alert) == "4541feb2d0892ad")
        let resolved = try NativeAlertDecoder.decode(Fixture.line("native/good/resolved.json"), listener: "http").get()
        #expect(Fingerprint.of(resolved) == "4541feb2d0892ad", "its resolve must find the same identity")
    }
}
