/// Incident severity, SEV1 (most urgent) to SEV4.
///
/// The raw value orders urgency: a *lower* raw value is *more* severe, so
/// `Severity.sev1 < .sev3` reads "SEV1 sorts before SEV3".
public enum Severity: Int, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    case sev1 = 1, sev2, sev3, sev4

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `SEV1` … `SEV4`, the spelling used everywhere alertd prints a severity.
    public var description: String { "SEV\(rawValue)" }

    /// Whether `self` is more urgent than `other`.
    public func isMoreSevere(than other: Severity) -> Bool { rawValue < other.rawValue }

    /// Parses every spelling senders use (SPEC §2): `SEV1`–`SEV4`, `P1`–`P4`,
    /// `critical`, `high`/`major`/`error`, `warning`/`medium`/`minor`,
    /// `low`/`info`. Case-insensitive; nil when unknown.
    public init?(parsing text: some StringProtocol) {
        // The usual spellings as they come first: lower-casing makes a new
        // string, and a listener parses the severity of every alert.
        guard let severity = Self.spelled(String(text)) ?? Self.spelled(text.lowercased()) else { return nil }
        self = severity
    }

    private static func spelled(_ text: String) -> Severity? {
        switch text {
        case "sev1", "SEV1", "p1", "P1", "critical": .sev1
        case "sev2", "SEV2", "p2", "P2", "high", "major", "error": .sev2
        case "sev3", "SEV3", "p3", "P3", "warning", "medium", "minor": .sev3
        case "sev4", "SEV4", "p4", "P4", "low", "info": .sev4
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Severity(parsing: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "unknown severity \"\(text)\" (expected SEV1–SEV4)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
