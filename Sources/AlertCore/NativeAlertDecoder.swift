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
        let object: JSONValue
        do {
            object = try JSONParser.parse(bytes)
        } catch {
            return .failure(.malformed("not valid JSON: \(error)"))
        }
        return decode(object: object, listener: listener)
    }

    /// Decodes an already-parsed object (HTTP `/api/v1/alerts` arrays use this).
    public static func decode(object: JSONValue, listener: String) -> Result<Alert, DecodeError> {
        guard case .object(let fields) = object else { return .failure(.malformed("expected a JSON object")) }
        do throws(DecodeError) {
            return .success(try alert(from: fields, listener: listener))
        } catch {
            return .failure(error)
        }
    }

    /// The members this decoder reads, picked out in one pass over the
    /// object (the last of a repeated member wins, as with a lookup).
    private struct Members {
        var alertname, check, summary, description, host, source, dedupKey, status, severity, labels, timestamp: JSONValue?

        init(_ fields: [(key: String, value: JSONValue)]) {
            for (key, value) in fields {
                switch key {
                case "alertname": alertname = value
                case "check": check = value
                case "summary": summary = value
                case "description": description = value
                case "host": host = value
                case "source": source = value
                case "dedup_key": dedupKey = value
                case "status": status = value
                case "severity": severity = value
                case "labels": labels = value
                case "timestamp": timestamp = value
                default: break
                }
            }
        }
    }

    private static func alert(from fields: [(key: String, value: JSONValue)], listener: String) throws(DecodeError) -> Alert {
        let members = Members(fields)
        let alertname = nonEmpty(try string(members.alertname, "alertname"))
        let check = nonEmpty(try string(members.check, "check")) ?? alertname
        let summary = try string(members.summary, "summary")
        guard let name = check ?? summary, !name.isEmpty else {
            throw DecodeError.malformed("\"check\" (or \"alertname\") or \"summary\" is required")
        }
        var alert = Alert(check: name, summary: summary, listener: listener, format: "json")
        alert.description = try string(members.description, "description")
        alert.host = try string(members.host, "host")
        alert.source = try string(members.source, "source")
        alert.dedupKey = try string(members.dedupKey, "dedup_key")
        if let status = try string(members.status, "status") {
            guard let value = AlertStatus(rawValue: status.lowercased()) else {
                throw DecodeError.malformed("\"status\" must be \"firing\" or \"resolved\", not \"\(status)\"")
            }
            alert.status = value
        }
        if let severity = try string(members.severity, "severity") {
            guard let value = Severity(parsing: severity) else {
                throw DecodeError.malformed(
                    "unknown \"severity\" \"\(severity)\" (use SEV1–SEV4, P1–P4, critical, high, warning or low)")
            }
            alert.severity = value
        }
        if let labels = members.labels, !labels.isNull {
            guard case .object(let pairs) = labels else {
                throw DecodeError.malformed("\"labels\" must be an object of strings")
            }
            alert.labels.reserveCapacity(pairs.count)
            for (key, value) in pairs {
                guard let text = value.string else {
                    throw DecodeError.malformed("label \"\(key)\" must be a string")
                }
                alert.labels[key] = text
            }
        }
        if let timestamp = members.timestamp, !timestamp.isNull {
            alert.timestamp = try parseTimestamp(timestamp)
        }
        return alert
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
