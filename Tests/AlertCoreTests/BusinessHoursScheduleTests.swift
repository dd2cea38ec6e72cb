import Foundation
import Testing

@testable import AlertCore

@Suite("Business hours schedule")
struct BusinessHoursScheduleTests {
    static let weekdays: Set<BusinessHours.Weekday> = [.mon, .tue, .wed, .thu, .fri]
    /// SPEC §5's example: Europe/Amsterdam, Monday to Friday, 09:00–17:00.
    static let amsterdam = hours("Europe/Amsterdam", weekdays, "09:00", "17:00")
    static let newYork = hours("America/New_York", weekdays, "09:00", "17:00")
    /// Sunday 02:30–03:30 local: on 2026-03-29 02:30 does not exist.
    static let sundayInSpringGap = hours("Europe/Amsterdam", [.sun], "02:30", "03:30")
    /// Sunday 02:00–02:59 local: on 2026-03-29 none of it exists.
    static let sundayWhollyInGap = hours("Europe/Amsterdam", [.sun], "02:00", "02:59")
    /// Sunday 02:00–02:30 local: on 2026-10-25 it happens twice.
    static let sundayInRepeatedHour = hours("Europe/Amsterdam", [.sun], "02:00", "02:30")
    static let sundayMorning = hours("Europe/Amsterdam", [.sun], "10:00", "12:00")

    static func hours(_ zone: String, _ days: Set<BusinessHours.Weekday>, _ start: String, _ end: String)
        -> BusinessHours
    {
        BusinessHours(
            timeZone: TimeZone(identifier: zone)!, days: days, start: BusinessHours.parseTime(start)!,
            end: BusinessHours.parseTime(end)!)
    }

    static func date(_ text: String) -> Date { RFC3339.parse(text)! }

    // MARK: isOpen

    /// (schedule, instant in UTC, open?) — the comment gives the local time.
    static let openCases: [(String, BusinessHours, String, Bool)] = [
        ("AMS Mon 09:00 CET", amsterdam, "2026-01-05T08:00:00Z", true),
        ("AMS Mon 08:59:59 CET", amsterdam, "2026-01-05T07:59:59Z", false),
        ("AMS Fri 16:59:59 CET", amsterdam, "2026-01-09T15:59:59Z", true),
        ("AMS Fri 16:59:59.5 CET", amsterdam, "2026-01-09T15:59:59.500Z", true),
        ("AMS Fri 17:00 CET (end is closed)", amsterdam, "2026-01-09T16:00:00Z", false),
        ("AMS Sat 13:00", amsterdam, "2026-01-10T12:00:00Z", false),
        ("AMS Sun 23:30", amsterdam, "2026-01-11T22:30:00Z", false),
        ("AMS Mon 00:30", amsterdam, "2026-01-11T23:30:00Z", false),
        ("AMS Wed 09:00 CEST", amsterdam, "2026-07-01T07:00:00Z", true),
        ("AMS Wed 08:59:59 CEST", amsterdam, "2026-07-01T06:59:59Z", false),
        ("AMS Wed 16:59:59 CEST", amsterdam, "2026-07-01T14:59:59Z", true),
        ("AMS Wed 17:00 CEST", amsterdam, "2026-07-01T15:00:00Z", false),
        ("AMS Mon after spring forward 09:00 CEST", amsterdam, "2026-03-30T07:00:00Z", true),
        ("AMS Mon after spring forward 08:30 CEST", amsterdam, "2026-03-30T06:30:00Z", false),
        ("AMS Fri before fall back 17:00 CEST", amsterdam, "2026-10-23T15:00:00Z", false),
        ("AMS Mon after fall back 09:00 CET", amsterdam, "2026-10-26T08:00:00Z", true),
        ("AMS Mon after fall back 08:00 CET", amsterdam, "2026-10-26T07:00:00Z", false),
        ("NYC Wed 09:00 EST", newYork, "2026-01-07T14:00:00Z", true),
        ("NYC Wed 08:59:59 EST", newYork, "2026-01-07T13:59:59Z", false),
        ("NYC Wed 09:00 EDT", newYork, "2026-07-01T13:00:00Z", true),
        ("NYC Fri 17:00 EDT", newYork, "2026-10-30T21:00:00Z", false),
        ("UTC Wed 09:00", .default, "2026-01-07T09:00:00Z", true),
        ("UTC Wed 17:00", .default, "2026-01-07T17:00:00Z", false),
        ("UTC Sun 12:00", .default, "2026-01-11T12:00:00Z", false),
        ("gap: Sun 03:00 CEST, the first instant past 02:30", sundayInSpringGap, "2026-03-29T01:00:00Z", true),
        ("gap: Sun 01:59:59 CET", sundayInSpringGap, "2026-03-29T00:59:59Z", false),
        ("gap: Sun 03:29:59 CEST", sundayInSpringGap, "2026-03-29T01:29:59Z", true),
        ("gap: Sun 03:30 CEST", sundayInSpringGap, "2026-03-29T01:30:00Z", false),
        ("repeated hour: Sun 02:10 CEST", sundayInRepeatedHour, "2026-10-25T00:10:00Z", true),
        ("repeated hour: Sun 02:40 CEST", sundayInRepeatedHour, "2026-10-25T00:40:00Z", false),
        ("repeated hour: Sun 02:10 CET", sundayInRepeatedHour, "2026-10-25T01:10:00Z", true),
        ("repeated hour: Sun 02:30 CET", sundayInRepeatedHour, "2026-10-25T01:30:00Z", false),
    ]

    @Test("open at an instant", arguments: openCases)
    func isOpen(label: String, hours: BusinessHours, instant: String, open: Bool) {
        #expect(hours.isOpen(at: Self.date(instant)) == open, "\(label)")
    }

    // MARK: nextOpening

    /// (schedule, from, next opening), all UTC — the comment gives local times.
    static let openingCases: [(String, BusinessHours, String, String)] = [
        ("AMS open now: itself", amsterdam, "2026-01-07T10:00:00Z", "2026-01-07T10:00:00Z"),
        ("AMS Mon 09:00 exactly: itself", amsterdam, "2026-01-05T08:00:00Z", "2026-01-05T08:00:00Z"),
        ("AMS Mon 06:00 → 09:00", amsterdam, "2026-01-12T05:00:00Z", "2026-01-12T08:00:00Z"),
        ("AMS Wed 19:00 → Thu 09:00", amsterdam, "2026-01-07T18:00:00Z", "2026-01-08T08:00:00Z"),
        ("AMS Fri 17:00 → Mon 09:00", amsterdam, "2026-01-09T16:00:00Z", "2026-01-12T08:00:00Z"),
        ("AMS Sat 13:00 → Mon 09:00", amsterdam, "2026-01-10T12:00:00Z", "2026-01-12T08:00:00Z"),
        ("AMS Sun 23:59:59 → Mon 09:00", amsterdam, "2026-01-11T22:59:59Z", "2026-01-12T08:00:00Z"),
        ("AMS Fri 17:00 CET → Mon 09:00 CEST (spring)", amsterdam, "2026-03-27T16:00:00Z", "2026-03-30T07:00:00Z"),
        ("AMS Sun 01:30 CET → Mon 09:00 CEST", amsterdam, "2026-03-29T00:30:00Z", "2026-03-30T07:00:00Z"),
        ("AMS Sun 03:30 CEST → Mon 09:00 CEST", amsterdam, "2026-03-29T01:30:00Z", "2026-03-30T07:00:00Z"),
        ("AMS Fri 17:00 CEST → Mon 09:00 CET (autumn)", amsterdam, "2026-10-23T15:00:00Z", "2026-10-26T08:00:00Z"),
        ("AMS Sun 02:30 CEST → Mon 09:00 CET", amsterdam, "2026-10-25T00:30:00Z", "2026-10-26T08:00:00Z"),
        ("AMS Sun 02:30 CET → Mon 09:00 CET", amsterdam, "2026-10-25T01:30:00Z", "2026-10-26T08:00:00Z"),
        ("Sun-only: Mon → Sun 10:00", sundayMorning, "2026-01-12T12:00:00Z", "2026-01-18T09:00:00Z"),
        ("Sun-only: Sun 12:00 → next Sun", sundayMorning, "2026-01-18T11:00:00Z", "2026-01-25T09:00:00Z"),
        ("Sun-only: Sat → Sun", sundayMorning, "2026-01-17T20:00:00Z", "2026-01-18T09:00:00Z"),
        ("gap: start 02:30 missing → 03:00 CEST", sundayInSpringGap, "2026-03-28T12:00:00Z", "2026-03-29T01:00:00Z"),
        ("gap: after → next Sun 02:30 CEST", sundayInSpringGap, "2026-03-29T01:30:00Z", "2026-04-05T00:30:00Z"),
        ("gap: hours wholly missing → next Sun", sundayWhollyInGap, "2026-03-28T12:00:00Z", "2026-04-05T00:00:00Z"),
        ("repeated: first 02:00 CEST", sundayInRepeatedHour, "2026-10-24T12:00:00Z", "2026-10-25T00:00:00Z"),
        ("repeated: between → second 02:00 CET", sundayInRepeatedHour, "2026-10-25T00:30:00Z", "2026-10-25T01:00:00Z"),
        ("repeated: after → next Sun 02:00 CET", sundayInRepeatedHour, "2026-10-25T01:30:00Z", "2026-11-01T01:00:00Z"),
        ("NYC Fri 17:00 EST → Mon 09:00 EDT", newYork, "2026-03-06T22:00:00Z", "2026-03-09T13:00:00Z"),
        ("NYC Fri 17:00 EDT → Mon 09:00 EST", newYork, "2026-10-30T21:00:00Z", "2026-11-02T14:00:00Z"),
        ("NYC Tue 06:00 EST → 09:00", newYork, "2026-01-06T11:00:00Z", "2026-01-06T14:00:00Z"),
        (
            "NYC Sun 02:30 missing → 03:00 EDT", hours("America/New_York", [.sun], "02:30", "04:00"),
            "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z"
        ),
        ("UTC Fri 17:00 → Mon 09:00", .default, "2026-01-09T17:00:00Z", "2026-01-12T09:00:00Z"),
        ("UTC Sat → Mon 09:00", .default, "2026-01-10T03:00:00Z", "2026-01-12T09:00:00Z"),
        ("UTC Wed 08:59:59.25 → 09:00", .default, "2026-01-07T08:59:59.250Z", "2026-01-07T09:00:00Z"),
    ]

    @Test("next opening", arguments: openingCases)
    func nextOpening(label: String, hours: BusinessHours, from: String, expected: String) {
        let opening = hours.nextOpening(after: Self.date(from))
        #expect(RFC3339.format(opening) == expected, "\(label)")
        #expect(opening == Self.date(expected), "\(label)")
        #expect(hours.isOpen(at: opening), "\(label): open at its opening")
    }

    @Test("the opening is the first open instant: a second earlier is closed", arguments: openingCases)
    func openingIsFirst(label: String, hours: BusinessHours, from: String, expected: String) {
        let from = Self.date(from)
        let opening = hours.nextOpening(after: from)
        guard opening > from else { return }
        #expect(!hours.isOpen(at: opening.addingTimeInterval(-1)), "\(label)")
    }

    @Test("no days, or end not after start: never open, next opening is distantFuture")
    func neverOpen() {
        let noDays = BusinessHours(timeZone: TimeZone(identifier: "Europe/Amsterdam")!, days: [], start: 540, end: 1020)
        let backwards = BusinessHours(timeZone: .gmt, days: Self.weekdays, start: 1020, end: 540)
        for hours in [noDays, backwards] {
            for instant in ["2026-01-07T10:00:00Z", "2026-03-29T01:00:00Z", "2026-10-25T01:30:00Z"] {
                #expect(!hours.isOpen(at: Self.date(instant)))
                #expect(hours.nextOpening(after: Self.date(instant)) == .distantFuture)
            }
        }
    }

    @Test("end 24:00 runs to midnight")
    func endOfDay() {
        let mondays = Self.hours("Europe/Amsterdam", [.mon], "00:00", "24:00")
        #expect(mondays.isOpen(at: Self.date("2026-01-11T23:00:00Z")))  // Mon 00:00
        #expect(mondays.isOpen(at: Self.date("2026-01-12T22:59:59Z")))  // Mon 23:59:59
        #expect(!mondays.isOpen(at: Self.date("2026-01-12T23:00:00Z")))  // Tue 00:00
        #expect(mondays.nextOpening(after: Self.date("2026-01-12T23:00:00Z")) == Self.date("2026-01-18T23:00:00Z"))
    }

    // MARK: Parsing

    @Test(
        "times parse to minutes after midnight",
        arguments: [
            ("09:00", 540), ("17:30", 1050), ("9:00", 540), ("00:00", 0), ("0:05", 5), ("23:59", 1439),
            ("24:00", 1440),
        ])
    func parsesTime(text: String, minutes: Int) {
        #expect(BusinessHours.parseTime(text) == minutes)
    }

    @Test(
        "bad times are nil",
        arguments: [
            "", ":", "9", "0900", "09:0", "09:000", "009:00", "24:01", "25:00", "12:60", "-1:00", "+9:00", "09:00:00",
            " 09:00", "09:00 ", "ab:cd", "٠٩:٠٠", "9h00", "09.00",
        ])
    func badTime(text: String) {
        #expect(BusinessHours.parseTime(text) == nil)
    }

    @Test(
        "weekdays parse, short or long, any case",
        arguments: [
            ("mon", BusinessHours.Weekday.mon), ("MON", .mon), ("Monday", .mon), ("tue", .tue), ("TUESDAY", .tue),
            ("wed", .wed), ("Wednesday", .wed), ("thu", .thu), ("thursday", .thu), ("Fri", .fri), ("friday", .fri),
            ("sat", .sat), ("Saturday", .sat), ("sun", .sun), ("SunDay", .sun),
        ])
    func parsesWeekday(text: String, expected: BusinessHours.Weekday) {
        #expect(BusinessHours.parseWeekday(text) == expected)
    }

    @Test("unknown weekdays are nil", arguments: ["", "mo", "mond", "tues", "weekday", "1", "sun ", "zondag"])
    func badWeekday(text: String) {
        #expect(BusinessHours.parseWeekday(text) == nil)
    }
}
