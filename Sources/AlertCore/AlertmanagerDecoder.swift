import Foundation

/// Prometheus/Alertmanager `POST /api/v2/alerts` bodies
/// (`shared/specs/alertmanager-api-v2.openapi.yaml`, `postableAlerts`), as
/// Prometheus and `amtool alert add` send them:
///
///     [{"labels":{"alertname":"disk_full","instance":"db-1:9100","severity":"critical"},
///       "annotations":{"summary":"disk / is 97% full"},
///       "startsAt":"2026-11-23T20:10:00Z","endsAt":"0001-01-01T00:00:00Z",
///       "generatorURL":"http://prometheus:9090/graph?g0.expr=..."}]
///
/// Mapping (SPEC §2): `alertname` → check, `host` (else `instance`) → host,
/// `severity` → severity, `summary`/`description` annotations → text, the
/// other labels → labels. `endsAt` in the past means resolved; the zero time
/// `0001-01-01T00:00:00Z` (what amtool sends) means unset.
public enum AlertmanagerDecoder {
    /// One result per array element, in order.
    public static func decode(_ body: some Collection<UInt8>, listener: String, now: Date) -> Result<[Result<Alert, DecodeError>], DecodeError> {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(body)
        } catch {
            return .failure(.malformed("body is not valid JSON: \(error)"))
        }
        guard case .array(let elements) = parsed else {
            return .failure(.malformed("body must be an array of alerts (postableAlerts)"))
        }
        return .success(elements.enumerated().map { index, element in
            decode(element, listener: listener, now: now).mapError {
                DecodeError($0.reason, "alert \(index): \($0.message)")
            }
        })
    }

    static func decode(_ element: JSONValue, listener: String, now: Date) -> Result<Alert, DecodeError> {
        guard case .object(let fields) = element else { return .failure(.malformed("expected an object")) }
        var labelObject: JSONValue?
        var annotationObject: JSONValue?
        var times: (startsAt: JSONValue?, endsAt: JSONValue?)
        var generatorURL: JSONValue?
        for (key, value) in fields {  // the last of a repeated member wins, as with JSONSerialization
            switch key {
            case "labels": labelObject = value
            case "annotations": annotationObject = value
            case "startsAt": times.startsAt = value
            case "endsAt": times.endsAt = value
            case "generatorURL": generatorURL = value
            default: break
            }
        }
        guard let labelObject else { return .failure(.malformed("\"labels\" is required")) }
        guard var labels = stringMap(labelObject) else { return .failure(.malformed("\"labels\" must map names to strings")) }
        guard !labels.isEmpty else { return .failure(.malformed("\"labels\" must not be empty")) }
        var annotations: [String: String] = [:]
        if let value = annotationObject, !value.isNull {
            guard let map = stringMap(value) else { return .failure(.malformed("\"annotations\" must map names to strings")) }
            annotations = map
        }
        let startsAt: Date?
        let endsAt: Date?
        switch (time(times.startsAt), time(times.endsAt)) {
        case (.failure, _): return .failure(.malformed("\"startsAt\" must be an RFC 3339 date-time"))
        case (_, .failure): return .failure(.malformed("\"endsAt\" must be an RFC 3339 date-time"))
        case (.success(let start), .success(let end)): (startsAt, endsAt) = (start, end)
        }
        if let value = generatorURL, !value.isNull {
            guard let text = value.string, text.isEmpty || isURI(text) else {
                return .failure(.malformed("\"generatorURL\" must be a URI"))
            }
        }
        let check = labels.removeValue(forKey: "alertname") ?? annotations["summary"] ?? "alert"
        let host = labels.removeValue(forKey: "host") ?? labels.removeValue(forKey: "instance")
        let resolved = endsAt.map { $0 <= now } ?? false
        var alert = Alert(
            check: check, summary: annotations["summary"], description: annotations["description"], host: host,
            source: "alertmanager", status: resolved ? .resolved : .firing,
            labels: labels, timestamp: startsAt, endsAt: resolved ? nil : endsAt, listener: listener,
            format: "alertmanager")
        if let severity = labels["severity"], let parsed = Severity(parsing: severity) {
            alert.severity = parsed
            alert.labels.removeValue(forKey: "severity")
        }
        return .success(alert)
    }

    private struct BadTime: Error {}

    /// A `startsAt`/`endsAt` member: absent, null and the zero time
    /// (`0001-01-01T00:00:00Z`, or anything before 1970) are unset.
    private static func time(_ value: JSONValue?) -> Result<Date?, BadTime> {
        guard let value, !value.isNull else { return .success(nil) }
        guard let text = value.string, let date = RFC3339.parse(text) else { return .failure(BadTime()) }
        return .success(date > zeroTime ? date : nil)
    }

    private static let zeroTime = Date(timeIntervalSince1970: 0)

    private static func stringMap(_ value: JSONValue) -> [String: String]? {
        guard case .object(let members) = value else { return nil }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members {
            guard let text = value.string else { return nil }
            map[key] = text
        }
        return map
    }

    /// RFC 3986 `URI`, as far as the API's `format: uri` asks: a scheme
    /// (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), a colon, and then
    /// only characters a URI may hold (no spaces, controls, quotes, `<>`,
    /// braces, `|`, `\`, `^` or backquote; non-ASCII must be
    /// percent-encoded).
    static func isURI(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon != bytes.startIndex else { return false }
        for (offset, byte) in bytes[..<colon].enumerated() {
            let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let mark = byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            guard letter || (offset > 0 && (digit || mark)) else { return false }
        }
        return bytes[colon...].allSatisfy { byte in
            switch byte {
            case 0...0x20, 0x7F...0xFF, UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"),
                UInt8(ascii: "^"), UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                return false
            default: return true
            }
        }
    }
}
