import AlertCore
import Foundation

/// The RFC 5322 message for a page, as a sendmail-style command reads it on
/// stdin (`sendmail -t -oi`, `msmtp -t`: recipients come from `To:`).
///
/// ```
/// From: alertd@example.com
/// To: oncall@example.com, ops@example.com
/// Date: Mon, 23 Nov 2026 20:10:00 +0000
/// Message-ID: <alertd.alertd-42-7@alertd-host>
/// Subject: [SEV1] #42 node-7: disk full
/// MIME-Version: 1.0
/// Content-Type: text/plain; charset=utf-8
/// Content-Transfer-Encoding: 8bit
/// Auto-Submitted: auto-generated
/// X-Alertd-Incident: 42
///
/// Incident declared: SEV1 — …
/// ```
///
/// Lines end in CRLF. Alert text reaches header values (the subject), so
/// every header value has CR and LF (and other control characters) replaced
/// by spaces: a title cannot add a `Bcc:`.
public enum EmailMessage {
    /// RFC 5322 §2.1.1: no line may be longer than 998 octets.
    static let maxLine = 998

    public static func render(_ message: PageMessage, from: String, to: [String], hostname: String, date: Date)
        -> [UInt8]
    {
        let headers: [(String, String)] = [
            ("From", headerValue(from)),
            ("To", addressList(to.map(headerValue))),
            ("Date", rfc5322Date(date)),
            ("Message-ID", "<alertd.\(messageIDPart(message.idempotencyKey))@\(messageIDPart(hostname))>"),
            ("Subject", encodedText(headerValue(message.subject), nameLength: "Subject: ".utf8.count)),
            ("MIME-Version", "1.0"),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Transfer-Encoding", "8bit"),
            ("Auto-Submitted", "auto-generated"),
            ("X-Alertd-Incident", String(message.incident.id)),
        ]
        var out = ""
        for (name, value) in headers {
            out += "\(name): \(value)\r\n"
        }
        out += "\r\n"
        out += body(message.text)
        return Array(out.utf8)
    }

    /// `Mon, 23 Nov 2026 20:10:00 +0000` (RFC 5322 §3.3), always in UTC.
    public static func rfc5322Date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { n.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        return "\(days[(c.weekday ?? 1) - 1]), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// One line: CR, LF and other control characters become spaces (header
    /// injection), runs of them one space.
    public static func headerValue(_ text: String) -> String {
        var out = ""
        var lastWasSpace = false
        for scalar in text.unicodeScalars {
            let control =
                scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value)
                || scalar == "\u{2028}" || scalar == "\u{2029}"
            if control {
                if !lastWasSpace { out += " " }
                lastWasSpace = true
            } else {
                out.unicodeScalars.append(scalar)
                lastWasSpace = false
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// The text as is when it is ASCII and fits a line; otherwise RFC 2047
    /// encoded-words (`=?UTF-8?B?…?=`), at most 75 characters each, on
    /// folded lines. Each word holds whole characters.
    public static func encodedText(_ text: String, nameLength: Int = 0) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII }) && nameLength + text.utf8.count <= maxLine - 2 {
            return text
        }
        // 45 bytes of UTF-8 -> 60 base64 characters + 12 for "=?UTF-8?B?" and "?=" = 72.
        let maxBytes = 45
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes {
                words.append(encodedWord(chunk))
                chunk = []
            }
            chunk += bytes.count > maxBytes ? Array(bytes.prefix(maxBytes)) : bytes  // a pathological grapheme
        }
        if !chunk.isEmpty { words.append(encodedWord(chunk)) }
        return words.joined(separator: "\r\n ")
    }

    static func encodedWord(_ bytes: [UInt8]) -> String {
        "=?UTF-8?B?" + Data(bytes).base64EncodedString() + "?="
    }

    /// `a@x, b@y`, folded one address a line when that would be too long.
    static func addressList(_ addresses: [String]) -> String {
        let line = addresses.joined(separator: ", ")
        return line.utf8.count <= 900 ? line : addresses.joined(separator: ",\r\n ")
    }

    /// A Message-ID part keeps to atext and dots (RFC 5322 §3.6.4).
    static func messageIDPart(_ text: String) -> String {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~.")
        let kept = String(text.filter { allowed.contains($0) })
        return kept.isEmpty ? "localhost" : kept
    }

    /// CRLF line ends; NUL dropped and lines cut at 998 octets, as 8bit
    /// requires.
    static func body(_ text: String) -> String {
        var out = ""
        var normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        if normalized.hasSuffix("\n") { normalized.removeLast() }
        for line in normalized.split(separator: "\n", omittingEmptySubsequences: false) {
            var length = 0
            for scalar in line.unicodeScalars where scalar != "\0" {
                let size = String(scalar).utf8.count
                if length + size > maxLine {
                    out += "\r\n"
                    length = 0
                }
                out.unicodeScalars.append(scalar)
                length += size
            }
            out += "\r\n"
        }
        return out
    }
}
