import Foundation
import Logging
import Testing

@testable import AlertIO

/// How log events become journal fields and stderr lines (SPEC §8): field
/// names journald accepts, syslog priorities from severity or level, and
/// escaping of untrusted text.
@Suite struct JournalFieldsTests {
    @Test(arguments: [
        ("incident_id", "INCIDENT_ID"),
        ("severity", "SEVERITY"),
        ("message_id", "MESSAGE_ID"),
        ("FINGERPRINT", "FINGERPRINT"),
        ("Receiver", "RECEIVER"),
        ("listener-name", "LISTENER_NAME"),
        ("peer.address", "PEER_ADDRESS"),
        ("a b", "A_B"),
        // `_` fields are trusted ones only journald may set.
        ("_pid", "PID"),
        ("__source", "SOURCE"),
        ("_1x", "F1X"),
        // A field name may not start with a digit.
        ("1st", "F1ST"),
        ("42", "F42"),
        ("größe", "GR__E"),
        ("", "FIELD"),
        ("___", "FIELD"),
        ("-", "FIELD"),
    ])
    func fieldName(key: String, expected: String) {
        #expect(JournalFields.fieldName(key) == expected)
    }

    @Test func fieldNamesAreWhatJournaldAccepts() {
        let keys = ["x", "_", "9", "ü", "a.b-c d", String(repeating: "k", count: 100), "\u{0}", "\n"]
        for key in keys {
            let name = JournalFields.fieldName(key)
            #expect(!name.isEmpty && name.count <= 64, "\(key) → \(name)")
            #expect(name.allSatisfy { ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }, "\(key) → \(name)")
            #expect(!name.hasPrefix("_") && !name.first!.isNumber, "\(key) → \(name)")
        }
        #expect(JournalFields.fieldName(String(repeating: "k", count: 100)) == String(repeating: "K", count: 64))
    }

    /// An incident's severity decides (SEV1 crit … SEV4 notice), in any spelling senders use.
    @Test(arguments: [
        ("SEV1", 2), ("SEV2", 3), ("SEV3", 4), ("SEV4", 5),
        ("sev1", 2), ("P2", 3), ("critical", 2), ("warning", 4), ("low", 5),
    ])
    func priorityFromSeverity(severity: String, expected: Int) {
        for level in Logger.Level.allCases {
            #expect(JournalFields.priority(level: level, severity: severity) == expected, "level \(level)")
        }
    }

    /// Without a (known) severity, the log level decides.
    @Test(arguments: [
        (Logger.Level.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func priorityFromLevel(level: Logger.Level, expected: Int) {
        #expect(JournalFields.priority(level: level, severity: nil) == expected)
        #expect(JournalFields.priority(level: level, severity: "") == expected)
        #expect(JournalFields.priority(level: level, severity: "SEV9") == expected)
    }

    @Test func metadataAsText() {
        #expect(JournalFields.text("plain") == "plain")
        #expect(JournalFields.text(.stringConvertible(42)) == "42")
        #expect(JournalFields.text(["a", "b"]) == "a,b")
        #expect(JournalFields.text(["z": "1", "a": ["x", "y"]]) == "a=x,y,z=1")
    }

    /// Untrusted text and what the stderr line shows (described escaped, so
    /// the test output itself carries no control characters).
    struct EscapeCase: Sendable, CustomTestStringConvertible {
        let text: String
        let expected: String
        init(_ text: String, _ expected: String) { (self.text, self.expected) = (text, expected) }
        var testDescription: String { text.debugDescription }
    }

    @Test(arguments: [
        EscapeCase("plain text", "plain text"),
        EscapeCase("disk\nINCIDENT_ID=999", #"disk\nINCIDENT_ID=999"#),
        EscapeCase("a\r\nb", #"a\r\nb"#),
        EscapeCase("col\tcol", #"col\tcol"#),
        EscapeCase("\u{1b}[31mred", #"\u{1b}[31mred"#),
        EscapeCase("nul\u{0}", #"nul\u{0}"#),
        EscapeCase("del\u{7f}", #"del\u{7f}"#),
        EscapeCase("\u{1}\u{1f}", #"\u{1}\u{1f}"#),
        EscapeCase("ünïcødé ✓", "ünïcødé ✓"),
        EscapeCase(#"a literal \n stays apart"#, #"a literal \\n stays apart"#),
        EscapeCase("next\u{85}line", #"next\u{85}line"#),
        EscapeCase("para\u{2029}graph", #"para\u{2029}graph"#),
        EscapeCase("", ""),
    ])
    func stderrEscape(_ example: EscapeCase) {
        let escaped = StderrLogHandler.escape(example.text)
        #expect(escaped == example.expected)
        #expect(!escaped.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7f })
    }

    @Test func journalStreamMustBeOurStderr() {
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else {
            Issue.record("fstat(stderr) failed")
            return
        }
        let ours = "\(info.st_dev):\(info.st_ino)"
        #expect(JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": ours]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: [:]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino &+ 1)"]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "garbage"]))
        #expect(!JournalLogHandler.stderrIsJournal(environment: ["JOURNAL_STREAM": "\(ours):1"]))
    }
}
