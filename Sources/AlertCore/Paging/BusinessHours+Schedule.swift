import Foundation

/// When business hours are open, and when they open next (SPEC §5: pages of a
/// `business_hours_only` policy are held until then, never dropped).
///
/// Rules:
/// * Open means: the local weekday (in `timeZone`) is in `days` and the local
///   wall-clock time is in `start ..< end` — `start` is open, `end` is closed.
/// * Wall-clock time is what a clock on the office wall shows, so across a
///   DST change the open period is still 09:00–17:00 local (one hour shorter
///   or longer in real time only if it spans the change).
/// * When `start` falls in a DST gap (the local time does not exist that
///   day), business hours open at the first instant after the gap. When it
///   happens twice (clocks go back), they open at the first occurrence.
/// * `days` empty, or `end <= start`: never open; `nextOpening` returns
///   `Date.distantFuture` (callers hold the page rather than drop it, and an
///   operator sees it as held in `alertctl explain`).
///
/// Local times are computed from the zone's UTC offsets rather than with
/// `Calendar`'s date arithmetic, whose choice for non-existent and repeated
/// local times is an implementation detail that has differed between
/// platforms.
extension BusinessHours {
    /// Whether business hours are open at `date`.
    public func isOpen(at date: Date) -> Bool {
        guard start < end else { return false }
        let wall = wallClock(at: date)
        let day = (wall / 86_400).rounded(.down)
        let secondOfDay = wall - day * 86_400
        guard days.contains(Self.weekday(ofLocalDay: Int(day))) else { return false }
        return Double(start * 60) <= secondOfDay && secondOfDay < Double(end * 60)
    }

    /// `date` itself when business hours are open at `date`; otherwise the
    /// next instant they open. `Date.distantFuture` when they never open.
    public func nextOpening(after date: Date) -> Date {
        guard !days.isEmpty, start < end else { return .distantFuture }
        if isOpen(at: date) { return date }
        let today = Int((wallClock(at: date) / 86_400).rounded(.down))
        // An allowed weekday recurs within 7 days; a second week covers the
        // odd schedule whose only hours fell into a DST gap.
        for day in today...(today + 14) where days.contains(Self.weekday(ofLocalDay: day)) {
            for opening in instants(whereWallClockFirstReaches: day * 86_400 + start * 60)
            where opening > date && isOpen(at: opening) {
                return opening
            }
        }
        return .distantFuture
    }

    /// `"09:00"`, `"17:30"` → minutes after midnight (`HH:MM`, hour 0–23 in
    /// one or two digits, minutes in two). `"24:00"` is 1440, so `end:
    /// "24:00"` means until midnight. Nil for anything else.
    public static func parseTime(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1])
        else { return nil }
        if hour == 24 && minute == 0 { return 24 * 60 }
        guard hour < 24, minute < 60 else { return nil }
        return hour * 60 + minute
    }

    /// `mon` … `sun` or `monday` … `sunday`, in any case. Nil otherwise.
    public static func parseWeekday(_ text: String) -> Weekday? {
        switch text.lowercased() {
        case "mon", "monday": .mon
        case "tue", "tuesday": .tue
        case "wed", "wednesday": .wed
        case "thu", "thursday": .thu
        case "fri", "friday": .fri
        case "sat", "saturday": .sat
        case "sun", "sunday": .sun
        default: nil
        }
    }

    // MARK: Local time

    /// Local wall-clock seconds since 1970-01-01T00:00 local.
    private func wallClock(at date: Date) -> Double {
        date.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: date))
    }

    /// The weekday of a local day numbered from 1970-01-01, a Thursday.
    private static func weekday(ofLocalDay day: Int) -> Weekday {
        let fromSunday = ((day + 4) % 7 + 7) % 7
        return Weekday(rawValue: fromSunday + 1)!
    }

    /// The instants at which the local wall clock shows `wall` (seconds since
    /// 1970-01-01T00:00 local), earliest first: one normally, two when
    /// clocks go back over it, and when it falls in a gap the instant the
    /// clock jumps past it.
    private func instants(whereWallClockFirstReaches wall: Int) -> [Date] {
        // Offsets around that day: any transition near it has one before, one after.
        let offsets = Set([-86_400, 0, 86_400].map {
            timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(wall + $0)))
        })
        let exact = offsets.map { wall - $0 }
            .filter { timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0))) == wall - $0 }
            .sorted()
        if !exact.isEmpty { return exact.map { Date(timeIntervalSince1970: Double($0)) } }
        // A gap: find the transition, the first instant whose wall clock is past `wall`.
        guard let smallest = offsets.min(), let largest = offsets.max() else { return [] }
        var before = wall - largest  // wall clock still short of `wall`
        var after = wall - smallest  // wall clock already past it
        while after - before > 1 {
            let middle = before + (after - before) / 2
            let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(middle)))
            if middle + offset >= wall { after = middle } else { before = middle }
        }
        return [Date(timeIntervalSince1970: Double(after))]
    }
}
