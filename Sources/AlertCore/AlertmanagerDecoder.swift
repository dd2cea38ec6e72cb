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
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            return .failure(.malformed("body is not valid JSON"))
        }
        guard let elements = parsed as? [Any] else {
            return .failure(.malformed("body must be an array of alerts (postableAlerts)"))
        }
        return .success(elements.enumerated().map { index, element in
            decode(element, listener: listener, now: now).mapError {
                DecodeError($0.reason, "alert \(index): \($0.message)")
            }
        })
    }

    static func decode(_ element: Any, listener: String, now: Date) -> Result<Alert, DecodeError> {
        guard let fields = element as? [String: Any] else { return .failure(.malformed("expected an object")) }
        guard let labelObject = fields["labels"] else { return .failure(.malformed("\"labels\" is required")) }
        guard var labels = stringMap(labelObject) else { return .failure(.malformed("\"labels\" must map names to strings")) }
        guard !labels.isEmpty else { return .failure(.malformed("\"labels\" must not be empty")) }
        var annotations: [String: String] = [:]
        if let value = fields["annotations"], !(value is NSNull) {
            guard let map = stringMap(value) else { return .failure(.malformed("\"annotations\" must map names to strings")) }
            annotations = map
        }
        var startsAt: Date?
        var endsAt: Date?
        for (key, slot) in [("startsAt", 0), ("endsAt", 1)] {
            guard let value = fields[key], !(value is NSNull) else { continue }
            guard let text = value as? String, let date = RFC3339.parse(text) else {
                return .failure(.malformed("\"\(key)\" must be an RFC 3339 date-time"))
            }
            let set = date > zeroTime ? date : nil  // 0001-01-01T00:00:00Z: unset
            if slot == 0 { startsAt = set } else { endsAt = set }
        }
        if let value = fields["generatorURL"], !(value is NSNull) {
            guard let text = value as? String, text.isEmpty || URL(string: text)?.scheme != nil else {
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

    /// `0001-01-01T00:00:00Z` and anything before 1970 count as unset.
    private static let zeroTime = Date(timeIntervalSince1970: 0)

    private static func stringMap(_ value: Any) -> [String: String]? {
        guard let object = value as? [String: Any] else { return nil }
        var map: [String: String] = [:]
        for (key, value) in object {
            guard let text = value as? String else { return nil }
            map[key] = text
        }
        return map
    }
}
