import AlertCore
import Foundation
import Testing

@Suite("RFC 3339 reading")
struct RFC3339Tests {
    @Test(
        "reads what Foundation's ISO 8601 parser reads, to the same instant",
        arguments: [
            "2026-11-23T20:10:00Z", "2026-11-23T20:10:00.566Z", "2026-11-23T20:10:00.5+01:00",
            "2026-11-23T20:10:00-05:30", "2024-02-29T23:59:59Z", "1970-01-01T00:00:00Z", "2000-03-01T00:00:00Z",
            "2099-12-31T23:59:59.999Z", "1969-12-31T23:59:59Z", "2026-06-30T12:00:00.123456+14:00",
        ])
    func sameAsFoundation(text: String) throws {
        let expected = try Date.ISO8601FormatStyle(includingFractionalSeconds: text.contains("."))
            .parse(text)
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince(expected)) < 0.000_001, "\(parsed) vs \(expected)")
    }

    @Test("the zero time amtool sends reads as a date long before 1970")
    func zeroTime() throws {
        let zero = try #require(RFC3339.parse("0001-01-01T00:00:00Z"))
        #expect(zero.timeIntervalSince1970 == -62_135_596_800)  // proleptic Gregorian, as Go's time package
    }

    @Test("lowercase t and z, as §5.6 allows")
    func lowercase() {
        #expect(RFC3339.parse("2026-01-01t00:00:00z") == RFC3339.parse("2026-01-01T00:00:00Z"))
    }

    @Test("a leap second reads as the end of its minute's last second")
    func leapSecond() throws {
        let leap = try #require(RFC3339.parse("2016-12-31T23:59:60Z"))
        let before = try #require(RFC3339.parse("2016-12-31T23:59:59Z"))
        #expect(leap > before && leap < before.addingTimeInterval(1))
    }

    @Test(
        "refuses what is not a date-time",
        arguments: [
            "", "yesterday", "2026-11-23", "2026-11-23T20:10:00", "2026-11-23 20:10:00Z", "2026-13-01T00:00:00Z",
            "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-23T24:00:00Z",
            "2026-11-23T20:60:00Z", "2026-11-23T20:10:61Z", "2026-11-23T20:10:00.Z", "2026-11-23T20:10:00+0100",
            "2026-11-23T20:10:00+01", "2026-11-23T20:10:00Zjunk", "26-11-23T20:10:00Z", "2026-11-23T20:10Z",
            "+2026-11-23T20:10:00Z", "2026-11-23T20:10:00+24:00",
        ])
    func refuses(text: String) {
        #expect(RFC3339.parse(text) == nil, "accepted \(text)")
    }

    @Test("prints what Foundation's ISO 8601 style prints, in UTC")
    func formatsAsFoundation() {
        var instants: [Double] = [0, -1, 0.999, 951_782_400, 4_102_444_799.5, -62_135_596_800 + 86_400 * 700_000]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 { instants.append(Double.random(in: -2_000_000_000...6_000_000_000, using: &generator)) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            #expect(RFC3339.format(date) == date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt)), "\(instant)")
        }
    }

    @Test("what alertd prints reads back")
    func roundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_000_000)
        #expect(try #require(RFC3339.parse(RFC3339.format(date))) == date)
    }
}
