import Foundation
import Testing

@testable import AlertCore

@Suite("Page text")
struct PageTextTests {
    /// 2026-03-02T10:00:00Z
    static let opened = RFC3339.parse("2026-03-02T10:00:00Z")!

    static func alert(
        _ fingerprint: String, check: String, host: String?, summary: String?, status: AlertStatus = .firing,
        firstSeen: TimeInterval = 0, count: Int64 = 1
    ) -> IncidentAlert {
        IncidentAlert(
            incidentID: 42, fingerprint: fingerprint, check: check, host: host, source: "node-agent", summary: summary,
            status: status, severity: .sev1, labels: [:], firstSeen: opened + firstSeen, lastSeen: opened + firstSeen,
            count: count)
    }

    /// `#42 node-7: disk full`, SEV1, open, with two alerts, one resolved.
    static func incident(severity: Severity = .sev1, state: IncidentState = .open, title: String = "node-7: disk full")
        -> Incident
    {
        Incident(
            id: 42, title: title, severity: severity, state: state, groupKey: "fp:abc", rule: "disk",
            openedAt: opened, occurrences: 4, lastSeen: opened + 300,
            alerts: [
                "abc": alert("abc", check: "disk_full", host: "node-7", summary: "/var is 98% full", count: 3),
                "def": alert(
                    "def", check: "disk_inodes", host: "node-7", summary: nil, status: .resolved, firstSeen: 60),
            ])
    }

    static func entry(_ seconds: TimeInterval, _ kind: TimelineKind, _ detail: String) -> TimelineEntry {
        TimelineEntry(incidentID: 42, at: opened + seconds, kind: kind, detail: detail)
    }

    static func body(
        _ incident: Incident = incident(), kind: PageKind, step: Int = 0, statusUpdate: StatusUpdate? = nil,
        timeline: [TimelineEntry] = [], after seconds: TimeInterval, postmortemWithin: TimeInterval? = nil
    ) -> String {
        PageText.body(
            incident, kind: kind, step: step, statusUpdate: statusUpdate, timeline: timeline, now: opened + seconds,
            postmortemWithin: postmortemWithin)
    }

    // MARK: Subjects

    @Test("the subject of SPEC §5's example, exactly")
    func exampleSubject() {
        #expect(PageText.subject(Self.incident(), kind: .declared) == "[SEV1] #42 node-7: disk full")
    }

    @Test(
        "every kind keeps the [SEVn] #ID title core",
        arguments: [
            (PageKind.declared, "[SEV1] #42 node-7: disk full"),
            (.escalation, "[ESCALATION] [SEV1] #42 node-7: disk full"),
            (.statusUpdate, "[UPDATE] [SEV1] #42 node-7: disk full"),
            (.updateReminder, "[REMINDER] [SEV1] #42 node-7: disk full"),
            (.resolved, "[RESOLVED] [SEV1] #42 node-7: disk full"),
        ])
    func subjects(kind: PageKind, expected: String) {
        #expect(PageText.subject(Self.incident(), kind: kind) == expected)
    }

    @Test("a subject is one line, whatever the title holds")
    func subjectIsOneLine() {
        let incident = Self.incident(severity: .sev3, title: "node-7: disk\r\nBcc: evil@example.com\u{1B}[31m\tx")
        let subject = PageText.subject(incident, kind: .declared)
        #expect(subject == "[SEV3] #42 node-7: disk  Bcc: evil@example.com [31m x")
        #expect(!subject.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    @Test("a long title is shortened in the subject, not in the body")
    func longTitle() {
        let title = String(repeating: "x", count: 1_000)
        let subject = PageText.subject(Self.incident(title: title), kind: .declared)
        #expect(subject == "[SEV1] #42 " + String(repeating: "x", count: 199) + "…")
        #expect(Self.body(Self.incident(title: title), kind: .declared, after: 0).contains(title))
    }

    // MARK: Bodies

    @Test("declared: headline, facts, commander, how to acknowledge")
    func declared() {
        let text = Self.body(kind: .declared, after: 90)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "Incident declared: SEV1 — node-7: disk full")
        for line in [
            "Incident: #42 node-7: disk full",
            "Severity: SEV1",
            "State: open",
            "Opened: 2026-03-02T10:00:00Z (1m 30s ago)",
            "Incident commander: unassigned",
            "Alerts: 1 firing of 2",
            "  - firing disk_full on node-7: /var is 98% full (3×)",
            "  - resolved disk_inodes on node-7",
            "Acknowledge: alertctl ack 42",
        ] {
            #expect(lines.contains(line), "\(line)\n---\n\(text)")
        }
        #expect(text.hasSuffix("\n"))
        #expect(!text.contains("Timeline"))
    }

    @Test("the incident commander comes from the ic role")
    func commander() {
        var incident = Self.incident()
        incident.roles = ["ic": "alice", "comms": "bob"]
        #expect(Self.body(incident, kind: .declared, after: 0).contains("\nIncident commander: alice\n"))
    }

    @Test("no acknowledge hint once acknowledged; who acknowledged is shown")
    func acknowledged() {
        var incident = Self.incident(state: .acknowledged)
        incident.acknowledgedBy = "carol"
        let text = Self.body(incident, kind: .statusUpdate, after: 600)
        #expect(text.contains("\nState: acknowledged (acknowledged by carol)\n"))
        #expect(!text.contains("alertctl ack"))
    }

    /// (step, seconds since opening, timeline, headline).
    @Test(
        "escalation: how long unacknowledged, and the step 1-based",
        arguments: [
            (1, 900.0, [], "Escalation: #42 not acknowledged after 15m, step 2"),
            (2, 2_700, [], "Escalation: #42 not acknowledged after 45m, step 3"),
            (1, 2_400, [PageTextTests.entry(600, .severityChanged, "SEV2 → SEV1")],
             "Escalation: #42 not acknowledged after 30m, step 2"),
            (1, 5_400, [PageTextTests.entry(600, .severityChanged, "SEV2 → SEV1"), PageTextTests.entry(3_600, .reopened, "alert fired again")],
             "Escalation: #42 not acknowledged after 30m, step 2"),
        ] as [(Int, TimeInterval, [TimelineEntry], String)])
    func escalation(step: Int, seconds: TimeInterval, timeline: [TimelineEntry], headline: String) {
        let text = Self.body(kind: .escalation, step: step, timeline: timeline, after: seconds)
        #expect(text.hasPrefix(headline + "\n"), "\(text)")
        #expect(text.contains("\nIncident: #42 node-7: disk full\n"))
        #expect(text.contains("\nAcknowledge: alertctl ack 42\n"))
    }

    @Test("status update: status, impact, next steps, who sent it")
    func statusUpdate() {
        let update = StatusUpdate(
            status: .mitigating, impact: "Uploads fail for 5% of users", next: "Rotate logs; add a disk", by: "alice")
        let text = Self.body(kind: .statusUpdate, statusUpdate: update, after: 1_200)
        #expect(text.hasPrefix("Status update: #42 SEV1 — node-7: disk full\n"))
        for line in [
            "Status: mitigating", "Impact: Uploads fail for 5% of users", "Next steps: Rotate logs; add a disk",
            "From: alice",
        ] {
            #expect(text.contains("\n\(line)\n"), "\(line)")
        }
    }

    @Test("status update without one still says so")
    func statusUpdateMissing() {
        #expect(Self.body(kind: .statusUpdate, after: 0).contains("\nStatus: (no details were given)\n"))
    }

    /// (timeline, seconds since opening, since).
    @Test(
        "update reminder: since the last status update, else the opening",
        arguments: [
            ([], 1_800.0, "since 2026-03-02T10:00:00Z (30m ago)"),
            ([PageTextTests.entry(300, .statusUpdate, "investigating"), PageTextTests.entry(900, .statusUpdate, "mitigating"),
              PageTextTests.entry(1_000, .note, "x")], 2_700, "since 2026-03-02T10:15:00Z (30m ago)"),
        ] as [([TimelineEntry], TimeInterval, String)])
    func updateReminder(timeline: [TimelineEntry], seconds: TimeInterval, since: String) {
        let text = Self.body(kind: .updateReminder, timeline: timeline, after: seconds)
        #expect(text.hasPrefix("No status update for #42 \(since); send one with alertctl update 42 --status "), "\(text)")
        #expect(text.contains("--status investigating|mitigating|monitoring --impact \"…\" --next \"…\""))
    }

    /// (severity, resolved by, postmortem_within, expected lines, lines that must be absent).
    @Test(
        "resolved: how long it lasted, by whom, and a review for SEV1/SEV2",
        arguments: [
            (Severity.sev1, "alice", nil, ["Resolved by: alice", "A post-incident review is due; draft it with alertctl postmortem 42"], ["Acknowledge"]),
            (.sev2, nil, 48 * 3600.0, ["Resolved by: alertd (every alert resolved)",
              "A post-incident review is due by 2026-03-04T11:12:00Z; draft it with alertctl postmortem 42"], []),
            (.sev3, nil, nil, [], ["post-incident review"]),
            (.sev4, "bob", 3600, ["Resolved by: bob"], ["post-incident review"]),
        ] as [(Severity, String?, TimeInterval?, [String], [String])])
    func resolved(severity: Severity, by: String?, postmortemWithin: TimeInterval?, lines: [String], absent: [String]) {
        var incident = Self.incident(severity: severity, state: .resolved)
        incident.resolvedAt = Self.opened + 4_320
        incident.resolvedBy = by
        incident.autoResolved = by == nil
        let text = Self.body(incident, kind: .resolved, after: 5_000, postmortemWithin: postmortemWithin)
        #expect(text.hasPrefix("Resolved: #42 node-7: disk full after 1h 12m\n"), "\(text)")
        for line in lines { #expect(text.contains("\n\(line)\n"), "\(line)\n---\n\(text)") }
        for word in absent { #expect(!text.contains(word), "\(word)") }
    }

    @Test("resolved without a resolution time counts to now")
    func resolvedNow() {
        let text = Self.body(kind: .resolved, after: 7_200)
        #expect(text.hasPrefix("Resolved: #42 node-7: disk full after 2h\n"))
    }

    @Test("the timeline: the last 20 entries, RFC3339 kind detail", arguments: PageKind.allCases)
    func timeline(kind: PageKind) {
        let timeline = (0..<25).map { Self.entry(Double($0) * 60, .note, "note \($0)") }
        let text = Self.body(kind: kind, timeline: timeline, after: 3_600)
        #expect(text.contains("\n\nTimeline (last 20 of 25):\n  2026-03-02T10:05:00Z note note 5\n"))
        #expect(text.hasSuffix("  2026-03-02T10:24:00Z note note 24\n"))
        #expect(!text.contains("note 4\n"))
        let short = Self.body(kind: kind, timeline: Array(timeline.prefix(2)), after: 3_600)
        #expect(short.hasSuffix("\n\nTimeline:\n  2026-03-02T10:00:00Z note note 0\n  2026-03-02T10:01:00Z note note 1\n"))
    }

    @Test("untrusted text is kept as is but loses its control characters", arguments: PageKind.allCases)
    func untrustedText(kind: PageKind) {
        var incident = Self.incident(title: "node-7: {{evil}} $(rm -rf /)\u{1B}[2J\u{07}")
        incident.alerts["abc"]?.summary = "line one\nline two\u{0}"
        incident.roles["ic"] = "mallory\r\nStatus: resolved"
        let update = StatusUpdate(status: .investigating, impact: "a\r\nb\tc\u{1B}[0m", next: "n\u{85}", by: "eve")
        let text = Self.body(
            incident, kind: kind, statusUpdate: update, timeline: [Self.entry(0, .opened, "opened\u{1B}]0;x\u{07}")],
            after: 60)
        #expect(!text.unicodeScalars.contains { $0 != "\n" && $0 != "\t" && $0.properties.generalCategory == .control })
        #expect(text.contains("node-7: {{evil}} $(rm -rf /) [2J "))
        #expect(text.contains(": line one line two "))
        #expect(text.contains("\nIncident commander: mallory  Status: resolved\n"))
        #expect(text.contains("  2026-03-02T10:00:00Z opened opened ]0;x \n"))
        if kind == .statusUpdate {
            #expect(text.contains("\nImpact: a\nb\tc[0m\n"))
            #expect(text.contains("\nNext steps: n\n"))
        }
    }

    // MARK: Pieces

    @Test(
        "durations",
        arguments: [
            (0.0, "0s"), (0.5, "0s"), (-5, "0s"), (.infinity, "0s"), (.nan, "0s"), (1, "1s"), (45, "45s"),
            (59.9, "59s"), (60, "1m"), (90, "1m 30s"), (900, "15m"), (3_600, "1h"), (3_605, "1h"), (3_660, "1h 1m"),
            (4_320, "1h 12m"), (86_400, "1d"), (93_600, "1d 2h"), (90_000 + 59, "1d 1h"), (86_460, "1d"),
        ])
    func duration(seconds: TimeInterval, text: String) {
        #expect(PageText.duration(seconds) == text)
    }

    @Test(
        "one-line and block sanitising",
        arguments: [
            ("plain", "plain", "plain"),
            ("a\nb", "a b", "a\nb"),
            ("a\r\nb", "a  b", "a\nb"),
            ("a\tb", "a b", "a\tb"),
            ("\u{1B}[31mred\u{1B}[0m", " [31mred [0m", "[31mred[0m"),
            ("nul\u{0}del\u{7F}c1\u{9B}", "nul del c1 ", "nuldelc1"),
            ("émoji 🚨 and RTL שלום", "émoji 🚨 and RTL שלום", "émoji 🚨 and RTL שלום"),
        ])
    func sanitising(input: String, line: String, block: String) {
        #expect(PageText.line(input) == line)
        #expect(PageText.block(input) == block)
    }
}
