import Foundation

/// alertd's native JSON alert object (SPEC §2):
///
///     {"check":"disk_full","host":"node-7","summary":"disk / is 97% full",
///      "severity":"critical","labels":{"team":"storage","mount":"/"},
///      "status":"firing","timestamp":"2026-11-23T20:10:00Z"}
///
/// `check` (or its alias `alertname`) or `summary` is required; everything
/// else is optional. Unknown fields are ignored so senders may add their own.
public enum NativeAlertDecoder {
    public static func decode(_ bytes: some Collection<UInt8>, listener: String) -> Result<Alert, DecodeError> {
        func decode(_ buffer: UnsafeBufferPointer<UInt8>) -> Result<Alert, DecodeError> {
            do throws(DecodeError) {
                return .success(try alert(in: buffer, listener: listener))
            } catch {
                return .failure(error)
            }
        }
        if let result = bytes.withContiguousStorageIfAvailable(decode) { return result }
        return Array(bytes).withUnsafeBufferPointer(decode)
    }

    /// The alert in `buffer`, or why there is none. Reads the object's
    /// members straight from the bytes: only the values of the fields below
    /// are built, and no key becomes a `String` (this runs on a listener's
    /// event loop for every alert). The same checks, in the same order, as
    /// decoding the parsed object. No `Result`: a listener appends the alert
    /// as it comes (unwrapping one copied every field of the alert).
    static func alert(in buffer: UnsafeBufferPointer<UInt8>, listener: String) throws(DecodeError) -> Alert {
        var members = Members()
        var labels: [String: String] = [:]
        let isObject: Bool
        do throws(JSONParser.Failure) {
            isObject = try JSONParser.scanObject(
                buffer, keys: Field.keys, stringMap: &labels, found: { members[$0] = $1 })
        } catch {
            throw .malformed("not valid JSON: \(error)")
        }
        // Not an object: say what it is instead.
        guard isObject else { return try decodeParsed(buffer, listener: listener).get() }
        return try alert(from: members, labels: labels, listener: listener)
    }

    private static func decodeParsed(_ buffer: UnsafeBufferPointer<UInt8>, listener: String) -> Result<Alert, DecodeError> {
        let object: JSONValue
        do {
            object = try JSONParser.parse(buffer)
        } catch {
            return .failure(.malformed("not valid JSON: \(error)"))
        }
        return decode(object: object, listener: listener)
    }

    /// Decodes an already-parsed object (HTTP `/api/v1/alerts` arrays use this).
    public static func decode(object: JSONValue, listener: String) -> Result<Alert, DecodeError> {
        guard case .object(let fields) = object else { return .failure(.malformed("expected a JSON object")) }
        var members = Members()
        for (key, value) in fields {
            if let field = Field(rawValue: key) { members[field] = value }
        }
        do throws(DecodeError) {
            return .success(try alert(from: members, listener: listener))
        } catch {
            return .failure(error)
        }
    }

    /// The members this decoder reads.
    private enum Field: String, CaseIterable, Sendable {
        case alertname, check, summary, description, host, source, dedupKey = "dedup_key", status, severity, labels, timestamp

        /// `labels` read straight into the alert's dictionary when it holds only strings.
        static let keys = JSONParser.Keys(allCases.map { ($0, $0.rawValue) }, stringMap: .labels)
    }

    /// The members, picked out in one pass over the object (the last of a
    /// repeated member wins, as with a lookup).
    private struct Members {
        var alertname, check, summary, description, host, source, dedupKey, status, severity, labels, timestamp: JSONValue?

        subscript(field: Field) -> JSONValue? {
            get {
                switch field {
                case .alertname: alertname
                case .check: check
                case .summary: summary
                case .description: description
                case .host: host
                case .source: source
                case .dedupKey: dedupKey
                case .status: status
                case .severity: severity
                case .labels: labels
                case .timestamp: timestamp
                }
            }
            set {
                switch field {
                case .alertname: alertname = newValue
                case .check: check = newValue
                case .summary: summary = newValue
                case .description: description = newValue
                case .host: host = newValue
                case .source: source = newValue
                case .dedupKey: dedupKey = newValue
                case .status: status = newValue
                case .severity: severity = newValue
                case .labels: labels = newValue
                case .timestamp: timestamp = newValue
                }
            }
        }
    }

    /// `labels`: what the scan read straight from a `labels` object of
    /// strings (`members.labels` is then null); anything else there is in
    /// `members.labels`, to be reported.
    private static func alert(from members: Members, labels: [String: String] = [:], listener: String) throws(DecodeError) -> Alert {
        let alertname = nonEmpty(try string(members.alertname, "alertname"))
        let check = nonEmpty(try string(members.check, "check")) ?? alertname
        let summary = try string(members.summary, "summary")
        guard let name = check ?? summary, !name.isEmpty else {
            throw DecodeError.malformed("\"check\" (or \"alertname\") or \"summary\" is required")
        }
        // Every field worked out first and the alert made once at the end:
        // built up in a `var` between `try`s, it was copied whole per alert.
        let description = try string(members.description, "description")
        let host = try string(members.host, "host")
        let source = try string(members.source, "source")
        let dedupKey = try string(members.dedupKey, "dedup_key")
        var status = AlertStatus.firing
        if let text = try string(members.status, "status") {
            guard let value = AlertStatus(rawValue: text) ?? AlertStatus(rawValue: text.lowercased()) else {
                throw DecodeError.malformed("\"status\" must be \"firing\" or \"resolved\", not \"\(text)\"")
            }
            status = value
        }
        var severity: Severity?
        if let text = try string(members.severity, "severity") {
            guard let value = Severity(parsing: text) else {
                throw DecodeError.malformed(
                    "unknown \"severity\" \"\(text)\" (use SEV1–SEV4, P1–P4, critical, high, warning or low)")
            }
            severity = value
        }
        var labels = labels
        if let member = members.labels, !member.isNull {
            guard case .object(let pairs) = member else {
                throw DecodeError.malformed("\"labels\" must be an object of strings")
            }
            labels.reserveCapacity(pairs.count)
            for (key, value) in pairs {
                guard let text = value.string else {
                    throw DecodeError.malformed("label \"\(key)\" must be a string")
                }
                labels[key] = text
            }
        }
        var timestamp: Date?
        if let member = members.timestamp, !member.isNull {
            timestamp = try parseTimestamp(member)
        }
        return Alert(
            check: name, summary: summary, description: description, host: host, source: source, status: status,
            severity: severity, labels: labels, dedupKey: dedupKey, timestamp: timestamp, listener: listener,
            format: "json")
    }

    private static func string(_ member: JSONValue?, _ key: String) throws(DecodeError) -> String? {
        guard let value = member, !value.isNull else { return nil }
        guard let text = value.string else {
            throw DecodeError.malformed("\"\(key)\" must be a string")
        }
        return text
    }

    private static func nonEmpty(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }

    private static func parseTimestamp(_ value: JSONValue) throws(DecodeError) -> Date {
        switch value {
        case .string(let text):
            if let date = RFC3339.parse(text) { return date }
            if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
            throw DecodeError.malformed("\"timestamp\" \"\(text)\" is neither RFC 3339 nor Unix seconds")
        case .number:
            if let seconds = value.double { return Date(timeIntervalSince1970: seconds) }
        default: break
        }
        throw DecodeError.malformed("\"timestamp\" must be an RFC 3339 string or Unix seconds")
    }
}
