import Foundation

/// Syslog (SPEC §2): RFC 5424 and RFC 3164, as util-linux `logger` 2.38 and
/// rsyslog send them. Real samples, captured from `logger` on a test machine:
///
///     <11>1 2026-11-23T22:08:09.476032+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"][ex@32473 team="storage"] disk full
///     <11>Nov 23 22:08:09 vm myapp: disk full
///     <13>Nov 23 22:08:10 myapp[30951]: local message
///
/// The first is `logger --rfc5424` (RFC 5424 §6), the second `logger --rfc3164`
/// (RFC 3164 §4.1), the third `logger -u SOCKET`, whose local format leaves out
/// the HOSTNAME (see `SyslogDecoder+RFC3164.swift`).
///
/// Mapping: PRI → `severity` (emerg/alert/crit SEV1, err SEV2, warning SEV3,
/// notice SEV4, info/debug none) plus labels `syslog_severity` and
/// `syslog_facility` (keywords); APP-NAME or TAG → `check` ("syslog" when
/// absent); HOSTNAME → `host`; MSG → `summary`; PROCID → label `pid`; MSGID →
/// label `msgid`; every SD-PARAM → a label of its name. When two SD elements
/// carry the same param name the later one wins; the header labels (`pid`,
/// `msgid`, `syslog_*`) win over SD params of the same name.
public enum SyslogDecoder {
    /// One syslog message (no framing: one datagram line or one stream frame),
    /// RFC 5424 or RFC 3164, as `logger` (util-linux 2.38) and rsyslog send them.
    public static func decode(_ bytes: some Collection<UInt8>, listener: String) -> Result<Alert, DecodeError> {
        decode(bytes, listener: listener, now: Date())
    }

    /// `now` supplies the year RFC 3164 timestamps leave out.
    static func decode(_ bytes: some Collection<UInt8>, listener: String, now: Date) -> Result<Alert, DecodeError> {
        var line = ArraySlice(bytes)
        while let last = line.last, last == lf || last == cr { line.removeLast() }
        do throws(DecodeError) {
            let pri = try parsePRI(&line)
            // RFC 5424 §6.2.2: VERSION "1" and a space follow PRI; RFC 3164 has no version.
            let message =
                line.starts(with: [UInt8(ascii: "1"), space])
                ? try parse5424(line.dropFirst(2)) : parse3164(line, now: now)
            return .success(alert(pri: pri, message, listener: listener))
        } catch {
            return .failure(error)
        }
    }

    /// The header and MSG of either format, before mapping.
    struct Message {
        var timestamp: Date?
        var host: String?
        var appName: String?
        var procID: String?
        var msgID: String?
        var structuredData: [String: String] = [:]
        var text: ArraySlice<UInt8> = []
    }

    // MARK: PRI (RFC 5424 §6.2.1, RFC 3164 §4.1.1)

    static func parsePRI(_ line: inout ArraySlice<UInt8>) throws(DecodeError) -> Int {
        guard line.first == UInt8(ascii: "<") else {
            throw .malformed("not syslog: a message starts with \"<PRI>\"")
        }
        line.removeFirst()
        var value = 0
        var digits = 0
        while let byte = line.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            digits += 1
            guard digits <= 3 else { throw .malformed("PRI has more than 3 digits (must be 0–191)") }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            line.removeFirst()
        }
        guard digits > 0 else { throw .malformed("PRI must be a number 0–191 after \"<\"") }
        guard line.first == UInt8(ascii: ">") else { throw .malformed("PRI is not closed with \">\"") }
        line.removeFirst()
        guard value <= 191 else { throw .malformed("PRI \(value) is out of range 0–191") }
        return value
    }

    // MARK: RFC 5424 §6

    /// `TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`
    /// (VERSION already consumed). An unparseable TIMESTAMP is dropped, not refused:
    /// alertd's clock decides anyway, and the alert is worth more than the field.
    static func parse5424(_ header: ArraySlice<UInt8>) throws(DecodeError) -> Message {
        var rest = header
        var fields: [String?] = []
        for _ in 0..<5 {
            guard let end = rest.firstIndex(of: space) else { throw tooFewFields }
            fields.append(nilIfDash(rest[..<end]))
            rest = rest[(end + 1)...]
        }
        var message = Message(
            timestamp: fields[0].flatMap(RFC3339.parse), host: fields[1], appName: fields[2],
            procID: fields[3], msgID: fields[4])
        switch rest.first {
        case UInt8(ascii: "-"): rest.removeFirst()
        case UInt8(ascii: "["): message.structuredData = try parseStructuredData(&rest)
        case nil: throw tooFewFields
        default: throw .malformed("RFC 5424 STRUCTURED-DATA must be \"-\" or \"[id name=\\\"value\\\"…]\"")
        }
        if rest.first == space {
            rest.removeFirst()
        } else if !rest.isEmpty {
            throw .malformed("RFC 5424 STRUCTURED-DATA must be followed by a space before MSG")
        }
        message.text = rest
        return message
    }

    private static var tooFewFields: DecodeError {
        .malformed(
            "RFC 5424 header has too few fields (expected VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA)")
    }

    /// `[id name="value" …][id2 …]` (RFC 5424 §6.3). Inside a value `\"`, `\\` and
    /// `\]` are escapes; a backslash before anything else is kept (§6.3.3).
    static func parseStructuredData(_ rest: inout ArraySlice<UInt8>) throws(DecodeError) -> [String: String] {
        let unterminated = DecodeError.malformed("unterminated RFC 5424 structured data element")
        var params: [String: String] = [:]
        while rest.first == UInt8(ascii: "[") {
            rest.removeFirst()
            guard let idEnd = rest.firstIndex(where: { $0 == space || $0 == rbracket }) else { throw unterminated }
            guard idEnd > rest.startIndex else { throw .malformed("RFC 5424 structured data element without an SD-ID") }
            let id = string(rest[..<idEnd])
            rest = rest[idEnd...]
            while true {
                guard let byte = rest.popFirst() else { throw unterminated }
                if byte == rbracket { break }
                // byte is the space before a param.
                guard let nameEnd = rest.firstIndex(where: { [equals, space, rbracket, quote].contains($0) })
                else { throw unterminated }
                guard nameEnd > rest.startIndex, rest[nameEnd] == equals,
                    rest.index(after: nameEnd) < rest.endIndex, rest[rest.index(after: nameEnd)] == quote
                else {
                    throw .malformed(
                        "structured data element [\(id)] is unterminated or holds something other than name=\"value\" params")
                }
                let name = string(rest[..<nameEnd])
                rest = rest[(nameEnd + 2)...]
                var value: [UInt8] = []
                var closed = false
                while let byte = rest.popFirst() {
                    if byte == backslash, let next = rest.first, next == quote || next == backslash || next == rbracket {
                        value.append(next)
                        rest.removeFirst()
                    } else if byte == quote {
                        closed = true
                        break
                    } else {
                        value.append(byte)
                    }
                }
                guard closed else { throw unterminated }
                params[name] = string(value[...])
            }
        }
        return params
    }

    // MARK: Mapping

    static func alert(pri: Int, _ message: Message, listener: String) -> Alert {
        let severityCode = pri % 8
        var labels = message.structuredData
        labels["syslog_severity"] = severityKeywords[severityCode]
        labels["syslog_facility"] = facilityKeywords[pri / 8]
        if let pid = message.procID { labels["pid"] = pid }
        if let msgID = message.msgID { labels["msgid"] = msgID }
        return Alert(
            check: message.appName ?? "syslog", summary: summary(message.text), host: message.host,
            source: "syslog", severity: severity(code: severityCode), labels: labels,
            timestamp: message.timestamp, listener: listener, format: "syslog")
    }

    /// MSG without a leading UTF-8 BOM (RFC 5424 §6.4 MSG-UTF8) and surrounding whitespace; nil when empty.
    static func summary(_ text: ArraySlice<UInt8>) -> String? {
        var text = text
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        let trimmed = string(text).trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }

    /// SPEC §2: info and debug carry no severity (dropped unless a rule matches them).
    static func severity(code: Int) -> Severity? {
        switch code {
        case 0, 1, 2: .sev1
        case 3: .sev2
        case 4: .sev3
        case 5: .sev4
        default: nil
        }
    }

    /// RFC 5424 §6.2.1 table 2, with the keywords rsyslog and `logger -p` use.
    static let severityKeywords = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    /// RFC 5424 §6.2.1 table 1, with the keywords rsyslog and `logger -p` use.
    static let facilityKeywords = [
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp",
        "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5", "local6",
        "local7",
    ]

    // MARK: Bytes

    static let space = UInt8(ascii: " ")
    static let lf = UInt8(ascii: "\n")
    static let cr = UInt8(ascii: "\r")
    static let colon = UInt8(ascii: ":")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let lbracket = UInt8(ascii: "[")
    static let rbracket = UInt8(ascii: "]")

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 5424's NILVALUE `-` (and an empty field from a sloppy sender) mean absent.
    static func nilIfDash(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.isEmpty || bytes.elementsEqual([UInt8(ascii: "-")]) ? nil : string(bytes)
    }
}
