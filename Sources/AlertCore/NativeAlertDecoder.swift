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
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes), options: [])
        } catch {
            return .failure(.malformed("not valid JSON: \(Self.reason(of: error))"))
        }
        guard let fields = object as? [String: Any] else {
            return .failure(.malformed("expected a JSON object"))
        }
        return decode(object: fields, listener: listener)
    }

    /// Decodes an already-parsed object (HTTP `/api/v1/alerts` arrays use this).
    public static func decode(object fields: [String: Any], listener: String) -> Result<Alert, DecodeError> {
        do {
            return .success(try alert(from: fields, listener: listener))
        } catch let error as DecodeError {
            return .failure(error)
        } catch {
            return .failure(.malformed("\(error)"))
        }
    }

    private static func alert(from fields: [String: Any], listener: String) throws -> Alert {
        let check = try nonEmpty(string(fields, "check")) ?? nonEmpty(string(fields, "alertname"))
        let summary = try string(fields, "summary")
        guard let name = check ?? summary, !name.isEmpty else {
            throw DecodeError.malformed("\"check\" (or \"alertname\") or \"summary\" is required")
        }
        var alert = Alert(check: name, summary: summary, listener: listener, format: "json")
        alert.description = try string(fields, "description")
        alert.host = try string(fields, "host")
        alert.source = try string(fields, "source")
        alert.dedupKey = try string(fields, "dedup_key")
        if let status = try string(fields, "status") {
            guard let value = AlertStatus(rawValue: status.lowercased()) else {
                throw DecodeError.malformed("\"status\" must be \"firing\" or \"resolved\", not \"\(status)\"")
            }
            alert.status = value
        }
        if let severity = try string(fields, "severity") {
            guard let value = Severity(parsing: severity) else {
                throw DecodeError.malformed(
                    "unknown \"severity\" \"\(severity)\" (use SEV1–SEV4, P1–P4, critical, high, warning or low)")
            }
            alert.severity = value
        }
        if let labels = fields["labels"], !(labels is NSNull) {
            guard let object = labels as? [String: Any] else {
                throw DecodeError.malformed("\"labels\" must be an object of strings")
            }
            for (key, value) in object {
                guard let text = value as? String else {
                    throw DecodeError.malformed("label \"\(key)\" must be a string")
                }
                alert.labels[key] = text
            }
        }
        if let timestamp = fields["timestamp"], !(timestamp is NSNull) {
            alert.timestamp = try parseTimestamp(timestamp)
        }
        return alert
    }

    private static func string(_ fields: [String: Any], _ key: String) throws -> String? {
        guard let value = fields[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else {
            throw DecodeError.malformed("\"\(key)\" must be a string")
        }
        return text
    }

    private static func nonEmpty(_ text: String?) -> String? { text?.isEmpty == false ? text : nil }

    private static func parseTimestamp(_ value: Any) throws -> Date {
        if let text = value as? String {
            if let date = RFC3339.parse(text) { return date }
            if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
            throw DecodeError.malformed("\"timestamp\" \"\(text)\" is neither RFC 3339 nor Unix seconds")
        }
        // On Linux `NSNumber(0) is Bool` holds, so tell JSON booleans by their type code.
        if let number = value as? NSNumber, String(cString: number.objCType) != "c" {
            return Date(timeIntervalSince1970: number.doubleValue)
        }
        throw DecodeError.malformed("\"timestamp\" must be an RFC 3339 string or Unix seconds")
    }

    private static func reason(of error: Error) -> String {
        let text = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String
        return text ?? "unparseable"
    }
}
