import Foundation

/// RFC 3339 timestamps: alertd prints UTC with seconds (`2026-11-23T20:10:00Z`)
/// and reads any offset, with or without fractional seconds.
public enum RFC3339 {
    public static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    public static func parse(_ text: String) -> Date? {
        let text = text.uppercased()  // RFC 3339 §5.6 allows a lowercase "t" and "z"
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().parse(text)
    }
}
