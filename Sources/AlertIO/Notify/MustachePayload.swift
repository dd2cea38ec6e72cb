import AlertCore
import Foundation
import Mustache

/// `format: { template: PATH }`: a Mustache template file renders the body.
///
/// The context has the generic payload's keys (`GenericPayload`); a `null`
/// is an absent key, so `{{#status_update}}…{{/status_update}}` shows only
/// when there is one:
///
/// * `version` ("1"), `kind` (`declared`, `escalation`, `status_update`,
///   `update_reminder`, `resolved`), `receiver`, `idempotency_key`,
///   `subject` (`[SEV1] #42 node-7: disk full`), `text` (the page text)
/// * `resolved`: true for a `resolved` page (Mustache cannot compare strings)
/// * `incident`: `id`, `title`, `severity` (`SEV1`…), `state`, `rule`,
///   `opened_at`, `acknowledged_at`, `acknowledged_by`, `mitigated_at`,
///   `resolved_at`, `resolved_by`, `last_seen` (RFC 3339 UTC), `maintenance`,
///   `flapping`, `alert_count`, `firing_count`, `occurrences`, `roles`
///   (`{{incident.roles.ic}}`), `alerts` (a list of `fingerprint`, `check`,
///   `host`, `summary`, `status`, `severity`, `labels`, `first_seen`,
///   `last_seen`, `count`) and `timeline` (a list of `at`, `kind`, `detail`)
/// * `status_update`: `status`, `impact`, `next`, `by`
///
/// Escaping: the body is sent as `application/json`, so `{{name}}` is
/// escaped for the inside of a JSON string (quotes, backslashes, control
/// characters); `{{{name}}}` is inserted as is. A template that is not JSON
/// switches with `{{% CONTENT_TYPE: TEXT}}` (no escaping) or `HTML`.
public struct MustachePayloadEncoder: WebhookPayloadEncoder {
    private let template: MustacheTemplate

    /// Reads and parses the template file; a missing file or a template that
    /// does not parse is a setup error.
    public init(path: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw NotifierSetupError("webhook template \(path): cannot read it (\(error.localizedDescription))")
        }
        do {
            try self.init(template: text)
        } catch {
            throw NotifierSetupError("webhook template \(path), \(error)")
        }
    }

    /// A template given as text (tests, embedded defaults).
    public init(template text: String) throws {
        JSONStringContentType.registerOnce()
        // The pragma only sets the default; the template may switch it. It
        // shares the first line, so line numbers stay those of the file.
        let pragma = "{{% CONTENT_TYPE: \(JSONStringContentType.name)}}"
        do {
            template = try MustacheTemplate(string: pragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let c = error.context
            let column = c.lineNumber == 1 ? c.columnNumber - pragma.count : c.columnNumber
            throw NotifierSetupError("line \(c.lineNumber), column \(column): \(error.error)")
        } catch {
            throw NotifierSetupError("\(error)")
        }
    }

    public func encode(_ message: PageMessage) throws -> Data {
        Data(template.render(try Self.context(message)).utf8)
    }

    /// The generic payload as plain Swift values (`[String: Any]`, `[Any]`,
    /// `String`, `Int64`, `Double`, `Bool`), nulls left out.
    static func context(_ message: PageMessage) throws -> [String: Any] {
        let json = try JSONDecoder().decode(JSONValue.self, from: try PayloadJSON.encode(GenericPayload(message)))
        var context = json.plain as? [String: Any] ?? [:]
        context["resolved"] = message.kind == .resolved
        return context
    }
}

/// Any JSON value, to turn an `Encodable` into a Mustache context.
enum JSONValue: Decodable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let value = try? c.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? c.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? c.decode(Double.self) {
            self = .double(value)
        } else if let value = try? c.decode(String.self) {
            self = .string(value)
        } else if let value = try? c.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// nil for `null`, so null keys vanish from objects.
    var plain: Any? {
        switch self {
        case .null: return nil
        case .bool(let value): return value
        case .int(let value): return value
        case .double(let value): return value
        case .string(let value): return value
        case .array(let values): return values.compactMap(\.plain)
        case .object(let members): return members.compactMapValues(\.plain)
        }
    }
}

/// Escapes text for the inside of a JSON string literal (RFC 8259 §7).
struct JSONStringContentType: MustacheContentType {
    static let name = "JSON"

    private static let registered: Bool = {
        MustacheContentTypes.register(JSONStringContentType(), named: name)
        return true
    }()

    static func registerOnce() { _ = registered }

    func escapeText(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        JSONEscaping.append(text, to: &out, lineSeparators: true)
        return out
    }
}
