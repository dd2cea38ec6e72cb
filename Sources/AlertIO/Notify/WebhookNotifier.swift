import AlertCore
import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore

/// Posts pages to an HTTP endpoint (SPEC §5 `webhook`).
///
/// Every request is `POST` with `Content-Type: application/json` (a
/// configured header may override it, e.g. for a text template),
/// `Idempotency-Key: <page key>` so receivers drop the duplicates
/// at-least-once delivery brings, and, with a secret,
/// `X-Alertd-Signature: sha256=<hex HMAC-SHA256 of the body>`.
///
/// Outcomes follow Alertmanager's retrier: 2xx sent; 429, 5xx, timeouts and
/// connection errors retry (honouring `Retry-After`); any other status is
/// permanent (the receiver refused this request and would refuse it again).
public struct WebhookNotifier: Notifier {
    /// The body format.
    public enum Format: Sendable, Equatable {
        /// alertd's incident JSON (`GenericPayload`).
        case generic
        /// A Slack incoming-webhook message.
        case slack
        /// Alertmanager's webhook payload, version 4.
        case alertmanager
        /// A PagerDuty Events API v2 event for this integration key.
        case pagerduty(routingKey: String)
        /// A Mustache template file (see `MustachePayloadEncoder` for its context).
        case template(path: String)
    }

    /// Headers alertd computes per request; configuring them is a mistake.
    static let reservedHeaders: Set<String> = [
        "idempotency-key", "x-alertd-signature", "content-length", "transfer-encoding", "host", "connection",
    ]
    /// Response bytes kept for the failure reason.
    static let maxReasonBody = 200

    private let url: String
    private let encoder: any WebhookPayloadEncoder
    private let timeout: TimeInterval
    private let headers: [(name: String, value: String)]
    private let key: SymmetricKey?
    private let client: HTTPClient
    private let logger: Logger

    /// - Parameters:
    ///   - url: `http://` or `https://` endpoint.
    ///   - timeout: for the whole request, connecting included.
    ///   - headers: extra request headers, in order (e.g. `Authorization`).
    ///   - hmacSecretFile: a file holding the HMAC key, read once here; one
    ///     trailing newline (LF or CRLF) is not part of the key.
    ///   - client: shared; the daemon creates it on its event-loop group and
    ///     shuts it down.
    /// - Throws: `NotifierSetupError` for a bad URL, header, secret file or template.
    public init(
        url: String, format: Format, timeout: TimeInterval = 5, headers: [(name: String, value: String)] = [],
        hmacSecretFile: String? = nil, client: HTTPClient, logger: Logger = Logger(label: "alertd.notify.webhook")
    ) throws {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            parsed.host?.isEmpty == false
        else {
            throw NotifierSetupError("webhook url \"\(url)\": expected http://host/… or https://host/…")
        }
        guard timeout > 0 else { throw NotifierSetupError("webhook \(url): timeout must be positive") }
        self.url = url
        self.timeout = timeout
        self.client = client
        self.logger = logger

        switch format {
        case .generic: encoder = GenericPayloadEncoder()
        case .slack: encoder = SlackPayloadEncoder()
        case .alertmanager: encoder = AlertmanagerPayloadEncoder()
        case .pagerduty(let routingKey):
            guard !routingKey.isEmpty else {
                throw NotifierSetupError("webhook \(url): the pagerduty format needs a routing_key")
            }
            encoder = PagerDutyPayloadEncoder(routingKey: routingKey)
        case .template(let path): encoder = try MustachePayloadEncoder(path: path)
        }

        var fixed: [(name: String, value: String)] = [("Content-Type", "application/json"), ("User-Agent", "alertd")]
        for (name, value) in headers {
            try Self.validateHeader(name: name, value: value, url: url)
            // A configured Content-Type or User-Agent replaces alertd's.
            let lower = name.lowercased()
            if lower == "content-type" || lower == "user-agent" { fixed.removeAll { $0.name.lowercased() == lower } }
            fixed.append((name, value))
        }
        self.headers = fixed

        if let hmacSecretFile {
            key = SymmetricKey(data: try Self.readSecret(hmacSecretFile))
        } else {
            key = nil
        }
    }

    public func deliver(_ message: PageMessage) async -> DeliveryResult {
        let body: Data
        do {
            body = try encoder.encode(message)
        } catch {
            return .permanent(reason: "cannot encode the body: \(error)")
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.headers.replaceOrAdd(name: "Idempotency-Key", value: Self.headerSafe(message.idempotencyKey))
        if let key {
            request.headers.replaceOrAdd(name: "X-Alertd-Signature", value: "sha256=" + Self.signature(body, key: key))
        }
        request.body = .bytes(ByteBuffer(bytes: body))

        let start = ContinuousClock.now
        let limit = Duration.nanoseconds(Int64(timeout * 1e9))
        do {
            // AsyncHTTPClient's deadline ends at the response head; the body
            // read below has its own bound.
            let response = try await client.execute(request, deadline: .now() + .nanoseconds(Int64(timeout * 1e9)), logger: logger)
            let text = await Self.collect(response.body, until: start + limit)
            return Self.result(
                status: Int(response.status.code), reasonPhrase: response.status.reasonPhrase,
                retryAfter: response.headers.first(name: "Retry-After"), body: text, now: Date())
        } catch let error as HTTPClientError where [.invalidURL, .emptyHost, .emptyScheme].contains(error) {
            return .permanent(reason: "\(error)")
        } catch {
            return .retry(reason: Self.describe(error, timeout: timeout), after: nil)
        }
    }

    /// Up to 64 KiB of the response body (it explains failures, and a drained
    /// response lets the connection be reused), or what is there at `end`:
    /// the status alone decides the outcome.
    static func collect(_ body: HTTPClientResponse.Body, until end: ContinuousClock.Instant) async -> String {
        await withTaskGroup(of: String?.self) { group in
            group.addTask { (try? await body.collect(upTo: 64 * 1024)).map { String(buffer: $0) } ?? "" }
            group.addTask {
                try? await Task.sleep(until: end, clock: .continuous)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()  // a cancelled read ends the request and its connection
            return first ?? ""
        }
    }

    /// Lowercase hex HMAC-SHA256 of exactly the bytes sent.
    public static func signature(_ body: Data, key: SymmetricKey) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: key).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The delivery outcome for an HTTP answer (pure; `now` for HTTP-date `Retry-After`).
    public static func result(
        status code: Int, reasonPhrase: String = "", retryAfter: String? = nil, body: String = "", now: Date
    ) -> DeliveryResult {
        if (200..<300).contains(code) { return .sent }
        var reason = "HTTP \(code)"
        if !reasonPhrase.isEmpty { reason += " \(reasonPhrase)" }
        let snippet = body.unicodeScalars.prefix(maxReasonBody).map {
            $0.properties.generalCategory == .control ? " " : String($0)
        }
        .joined().trimmingCharacters(in: .whitespaces)
        if !snippet.isEmpty { reason += ": \(snippet)" }
        if code == 429 || (500..<600).contains(code) {
            let after = retryAfter.flatMap { RetryAfter.parse($0, now: now) }
            return .retry(reason: reason, after: after)
        }
        return .permanent(reason: reason)
    }

    static func describe(_ error: any Error, timeout: TimeInterval) -> String {
        if let error = error as? HTTPClientError,
            error == .deadlineExceeded || error == .connectTimeout || error == .readTimeout
        {
            return "no answer within \(timeout)s (\(error))"
        }
        return "\(error)"
    }

    static func readSecret(_ path: String) throws -> Data {
        guard var data = FileManager.default.contents(atPath: path) else {
            throw NotifierSetupError("hmac_secret_file \(path): cannot read it (missing, or not readable by alertd)")
        }
        if data.last == UInt8(ascii: "\n") { data.removeLast() }
        if data.last == UInt8(ascii: "\r") { data.removeLast() }
        guard !data.isEmpty else { throw NotifierSetupError("hmac_secret_file \(path): is empty") }
        return data
    }

    static func validateHeader(name: String, value: String, url: String) throws {
        // RFC 9110 token characters.
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.allSatisfy(token.contains) else {
            throw NotifierSetupError("webhook \(url): header name \"\(name)\" is not a valid HTTP token")
        }
        guard !reservedHeaders.contains(name.lowercased()) else {
            throw NotifierSetupError("webhook \(url): header \(name) is set by alertd; remove it from headers")
        }
        guard value.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
            throw NotifierSetupError("webhook \(url): header \(name) has a control character (CR/LF?) in its value")
        }
    }

    static func headerSafe(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
    }
}
