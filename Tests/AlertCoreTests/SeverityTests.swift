import Foundation
import Testing

@testable import AlertCore

@Suite("Severity")
struct SeverityTests {
    /// Every spelling SPEC §2 lists for the native `severity` field.
    static let synonyms: [(String, Severity)] = [
        ("SEV1", .sev1), ("P1", .sev1), ("critical", .sev1),
        ("SEV2", .sev2), ("P2", .sev2), ("high", .sev2), ("major", .sev2), ("error", .sev2),
        ("SEV3", .sev3), ("P3", .sev3), ("warning", .sev3), ("medium", .sev3), ("minor", .sev3),
        ("SEV4", .sev4), ("P4", .sev4), ("low", .sev4), ("info", .sev4),
    ]

    @Test("every synonym of SPEC §2 parses", arguments: synonyms)
    func parsesSynonym(text: String, expected: Severity) {
        #expect(Severity(parsing: text) == expected)
    }

    @Test("parsing ignores case", arguments: synonyms)
    func parsingIgnoresCase(text: String, expected: Severity) {
        let mixed = String(
            text.enumerated().map {
                $0.offset.isMultiple(of: 2) ? Character($0.element.uppercased()) : Character($0.element.lowercased())
            })
        #expect(Severity(parsing: text.uppercased()) == expected)
        #expect(Severity(parsing: text.lowercased()) == expected)
        #expect(Severity(parsing: mixed) == expected, "\(mixed)")
    }

    @Test(
        "unknown spellings are nil",
        arguments: [
            "", "SEV0", "SEV5", "P0", "P5", "sev 1", "SEV-1", "1", "urgent", "warn", "crit", "emerg", "notice", "debug",
            "criticalx",
        ])
    func unknownIsNil(text: String) {
        #expect(Severity(parsing: text) == nil)
    }

    @Test("parses substrings, not only Strings")
    func parsesSubstring() {
        let line = "severity=major;"
        let value = line.dropFirst("severity=".count).dropLast()
        #expect(Severity(parsing: value) == .sev2)
    }

    @Test("SEV1 is the most severe and sorts first")
    func ordering() {
        #expect(Severity.sev1 < .sev2)
        #expect(Severity.sev2 < .sev3)
        #expect(Severity.sev3 < .sev4)
        #expect(!(Severity.sev4 < .sev1))
        #expect([Severity.sev3, .sev1, .sev4, .sev2].sorted() == [.sev1, .sev2, .sev3, .sev4])
        #expect([Severity.sev3, .sev1, .sev4].min() == .sev1)
        #expect(Severity.sev1.isMoreSevere(than: .sev2))
        #expect(!Severity.sev2.isMoreSevere(than: .sev1))
        #expect(!Severity.sev2.isMoreSevere(than: .sev2))
        #expect(Severity.allCases == [.sev1, .sev2, .sev3, .sev4])
    }

    @Test("prints as SEVn", arguments: zip(Severity.allCases, ["SEV1", "SEV2", "SEV3", "SEV4"]))
    func description(severity: Severity, text: String) {
        #expect(severity.description == text)
        #expect("\(severity)" == text)
    }

    @Test("JSON encodes as SEVn and decodes any synonym")
    func codable() throws {
        let encoded = try JSONEncoder().encode([Severity.sev1, .sev4])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["SEV1","SEV4"]"#)
        let decoded = try JSONDecoder().decode([Severity].self, from: Data(#"["critical","P2","Minor","SEV4"]"#.utf8))
        #expect(decoded == [.sev1, .sev2, .sev3, .sev4])
    }

    @Test("JSON decoding rejects an unknown severity, naming it")
    func codableRejectsUnknown() {
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Severity].self, from: Data(#"["urgent"]"#.utf8))
        }
        guard case .dataCorrupted(let context)? = error else {
            Issue.record("expected dataCorrupted, got \(String(describing: error))")
            return
        }
        #expect(context.debugDescription.contains("urgent"))
    }
}
