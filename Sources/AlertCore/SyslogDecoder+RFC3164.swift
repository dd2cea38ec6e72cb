import Foundation

/// RFC 3164 §4.1.2 HEADER and MSG, as senders really write them:
///
///     <11>Nov 23 22:08:09 vm myapp: disk full                 logger --rfc3164 (with HOSTNAME)
///     <13>Nov 23 22:08:10 myapp[30951]: local message         logger -u SOCKET (no HOSTNAME)
///     <30>Nov  3 04:05:06 web-1 nginx[812]: upstream timed out   day padded with a space
///     <86>2026-11-23T20:10:00.123456+01:00 web-1 sshd[4242]: …   rsyslog's RFC 3339 variant
///
/// Nothing here is refused: RFC 3164 §4.3 tells a receiver to make what it can
/// of any message, so a missing TIMESTAMP or TAG just leaves those fields unset.
extension SyslogDecoder {
    static func parse3164(_ line: ArraySlice<UInt8>, now: Date) -> Message {
        var rest = line
        var message = Message()
        let stamped: Bool
        if let (date, end) = bsdTimestamp(rest, now: now) ?? rfc3339Timestamp(rest) {
            message.timestamp = date
            rest = rest[end...]
            while rest.first == space { rest.removeFirst() }
            stamped = true
        } else {
            stamped = false
        }
        // logger's local format (`logger -u`, /dev/log) has no HOSTNAME, so the
        // token after the timestamp may already be the TAG: `myapp[123]:` or `myapp:`.
        if stamped, let end = rest.firstIndex(of: space) ?? (rest.isEmpty ? nil : rest.endIndex) {
            let token = rest[..<end]
            if token.last != colon, !token.contains(lbracket) {
                message.host = nilIfDash(token)
                rest = rest[end...]
                while rest.first == space { rest.removeFirst() }
            }
        }
        if let (tag, pid) = parseTag(&rest) {
            message.appName = tag
            message.procID = pid
        }
        message.text = rest
        return message
    }

    /// `TAG[pid]:`, `TAG:` or `TAG[pid]` at the start of `rest`; consumes it when found.
    static func parseTag(_ rest: inout ArraySlice<UInt8>) -> (tag: String, pid: String?)? {
        guard let end = rest.firstIndex(where: { $0 == colon || $0 == lbracket || $0 == space }),
            end > rest.startIndex
        else { return nil }
        var after = rest[end...]
        var pid: String?
        switch after.first {
        case lbracket:
            guard let close = after.firstIndex(of: rbracket) else { return nil }
            pid = nilIfDash(after[(after.startIndex + 1)..<close])
            after = after[(close + 1)...]
            if after.first == colon {
                after.removeFirst()
            } else if let next = after.first, next != space {
                return nil
            }
        case colon:
            after.removeFirst()
        default:
            return nil  // a word followed by a space is MSG, not a TAG
        }
        let tag = string(rest[..<end])
        rest = after
        return (tag, pid)
    }

    /// `Mmm dd hh:mm:ss` (day space-padded, or a single digit after one space). The
    /// year is missing, so it is the current UTC year, or the previous one if that
    /// puts the date over a month ahead (a December message read in January).
    /// Returns the date and where the timestamp ends; nil when `rest` holds none.
    static func bsdTimestamp(_ rest: ArraySlice<UInt8>, now: Date) -> (Date, ArraySlice<UInt8>.Index)? {
        let bytes = Array(rest.prefix(16))
        guard bytes.count >= 14, bytes[3] == space,
            let month = months.firstIndex(of: string(bytes[0..<3][...]).lowercased())
        else { return nil }
        // Day: "dd", " d" (RFC 3164 §4.1.2) or, from sloppy senders, "d" after one space.
        var index = 4
        if bytes[index] == space { index += 1 }
        guard let day = number(bytes, index, max: 2) else { return nil }
        index += day.length
        guard index + 9 <= bytes.count, bytes[index] == space,
            let hour = number(bytes, index + 1, exactly: 2), bytes[index + 3] == colon,
            let minute = number(bytes, index + 4, exactly: 2), bytes[index + 6] == colon,
            let second = number(bytes, index + 7, exactly: 2)
        else { return nil }
        let end = rest.startIndex + index + 9
        guard end == rest.endIndex || rest[end] == space else { return nil }

        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        func date(year: Int) -> Date? {
            let components = DateComponents(
                calendar: calendar, timeZone: .gmt, year: year, month: month + 1, day: day.value,
                hour: hour.value, minute: minute.value, second: second.value)
            return components.isValidDate ? components.date : nil
        }
        let year = calendar.component(.year, from: now)
        guard var result = date(year: year) ?? date(year: year - 1) else { return nil }
        if result.timeIntervalSince(now) > 31 * 86_400, let previous = date(year: year - 1) { result = previous }
        return (result, end)
    }

    /// rsyslog's `RSYSLOG_ForwardFormat` puts an RFC 3339 timestamp where RFC 3164 has `Mmm dd hh:mm:ss`.
    static func rfc3339Timestamp(_ rest: ArraySlice<UInt8>) -> (Date, ArraySlice<UInt8>.Index)? {
        guard let first = rest.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
        let end = rest.firstIndex(of: space) ?? rest.endIndex
        guard let date = RFC3339.parse(string(rest[..<end])) else { return nil }
        return (date, end)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The decimal number of 1…`max` digits (or `exactly` digits) at `index`.
    private static func number(_ bytes: [UInt8], _ index: Int, max: Int = 2, exactly: Int? = nil)
        -> (value: Int, length: Int)?
    {
        var value = 0
        var length = 0
        while index + length < bytes.count, length < (exactly ?? max),
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index + length])
        {
            value = value * 10 + Int(bytes[index + length] - UInt8(ascii: "0"))
            length += 1
        }
        guard length > 0, exactly == nil || length == exactly else { return nil }
        return (value, length)
    }
}
