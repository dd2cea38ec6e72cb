import AlertCore
import AlertIO
import AlertStore
import Foundation
import NIOHTTP1

/// alertd's HTTP endpoints (SPEC §2): native alerts, incidents, metrics,
/// health. A 2xx to an ingest request means the alerts are committed.
/// `/api/v2/alerts` and `/api/v2/status` speak Alertmanager's API so
/// Prometheus and amtool work unchanged; `/v2/enqueue` speaks PagerDuty's
/// Events API v2.
struct HTTPAPI: Sendable {
    let listener: String
    let pipeline: Pipeline
    let store: any IncidentStore
    let metrics: AlertdMetrics
    let counters: any ListenerMetrics
    /// Bearer tokens (`tokens_file`); nil when none is configured.
    let tokens: [String]?

    /// Reads `tokens_file`: one token per line, blank lines and `#` comments ignored.
    static func loadTokens(_ path: String?) throws -> [String]? {
        guard let path else { return nil }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let tokens = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !tokens.isEmpty else { throw ControlError("tokens_file \(path) holds no token") }
        return tokens
    }

    /// Ingest requests are decoded on the event loop and answered from the
    /// pipeline's commit callback (no task per request: that hop was most of
    /// a one-alert request's cost); everything else runs in a task, off the
    /// event loop, since it reads the store.
    func handle(_ request: HTTPRequest, _ responder: HTTPResponder) {
        switch (request.method, request.path) {
        case (.POST, "/api/v2/alerts"), (.POST, "/api/v1/alerts"):
            guard authorized(request) else { return responder.respond(unauthorized()) }
            if request.path == "/api/v2/alerts" { ingestAlertmanager(request, responder) } else { ingestNative(request, responder) }
        default:
            Task { responder.respond(await handle(request)) }
        }
    }

    private func unauthorized() -> HTTPResponse {
        counters.rejected(.unauthorized, count: 1)
        return Self.error(.unauthorized, "missing or wrong bearer token (Authorization: Bearer TOKEN)")
    }

    private func handle(_ request: HTTPRequest) async -> HTTPResponse {
        switch (request.method, request.path) {
        case (.GET, "/healthz"): return health()
        case (.GET, "/metrics"):
            return HTTPResponse(.ok, contentType: "text/plain; version=0.0.4", body: metrics.registry.emitToString())
        default: break
        }
        guard authorized(request) else { return unauthorized() }
        switch (request.method, request.path) {
        case (.GET, "/api/v2/status"): return alertmanagerStatus()
        case (.POST, "/v2/enqueue"): return await enqueuePagerDuty(request)
        case (.GET, "/api/v1/incidents"): return incidents(request)
        case (.GET, let path) where path.hasPrefix("/api/v1/incidents/"):
            return incident(String(path.dropFirst("/api/v1/incidents/".count)))
        case (_, "/api/v1/alerts"), (_, "/api/v1/incidents"):
            return Self.error(.methodNotAllowed, "\(request.method) is not allowed on \(request.path)")
        default:
            return Self.error(.notFound, "no endpoint \(request.path)")
        }
    }

    private func health() -> HTTPResponse {
        do {
            try store.checkHealth()
            return HTTPResponse(.ok, body: #"{"status":"ok"}"#)
        } catch {
            return Self.error(.serviceUnavailable, "store unavailable: \(error)")
        }
    }

    /// Constant-time comparison, so response timing does not leak a token.
    private func authorized(_ request: HTTPRequest) -> Bool {
        guard let tokens else { return true }
        guard let header = request.headers.first(name: "authorization"), header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst("Bearer ".count).utf8)
        var match = false
        for token in tokens {
            let expected = Array(token.utf8)
            var difference = UInt8(given.count == expected.count ? 0 : 1)
            for index in 0..<expected.count { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
            match = match || difference == 0
        }
        return match
    }

    /// A native alert object or an array of them. Valid alerts are stored
    /// even when others are not (as Alertmanager does); the invalid ones are
    /// listed in a 400.
    private func ingestNative(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(request.body.readableBytesView)
        } catch {
            counters.rejected(.malformed, count: 1)
            return responder.respond(Self.error(.badRequest, "body is not valid JSON: \(error)"))
        }
        let objects: [JSONValue]
        if case .array(let elements) = parsed { objects = elements } else { objects = [parsed] }
        var alerts: [Alert] = []
        var errors: [IndexedError] = []
        for (index, object) in objects.enumerated() {
            switch NativeAlertDecoder.decode(object: object, listener: listener) {
            case .success(let alert): alerts.append(alert)
            case .failure(let error): errors.append(IndexedError(index: index, message: error.message))
            }
        }
        if !errors.isEmpty { counters.rejected(.malformed, count: errors.count) }
        let answer: @Sendable ([Fate]) -> HTTPResponse = { [errors] fates in
            let accepted: [[String: Any]] = fates.map { fate in
                ["fingerprint": fate.fingerprint, "decision": fate.decision.rawValue, "incident": fate.incidentID as Any]
            }
            let listed: [[String: Any]] = errors.map { ["index": $0.index, "error": $0.message] }
            let body = Self.json(["accepted": accepted.count, "alerts": accepted, "errors": listed])
            return HTTPResponse(errors.isEmpty ? .ok : .badRequest, body: body)
        }
        guard !alerts.isEmpty else { return responder.respond(answer([])) }
        store(alerts, format: "json") { result in
            switch result {
            case .success(let fates): responder.respond { answer(fates) }
            case .failure(let refusal):
                responder.respond(HTTPResponse(refusal.status, body: Self.json(["error": refusal.message]), headers: refusal.headers))
            }
        }
    }

    private struct IndexedError: Sendable {
        let index: Int
        let message: String
    }

    /// Alertmanager answers 200 with an empty body (amtool accepts no other
    /// 2xx); a 400 body is a JSON string, as its spec says. Valid alerts of
    /// a partly bad request are stored.
    private func ingestAlertmanager(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let decoded: [Result<Alert, DecodeError>]
        switch AlertmanagerDecoder.decode(request.body.readableBytesView, listener: listener, now: Date()) {
        case .failure(let error):
            counters.rejected(error.reason, count: 1)
            return responder.respond(HTTPResponse(.badRequest, body: Self.jsonString(error.message)))
        case .success(let results): decoded = results
        }
        let alerts = decoded.compactMap { try? $0.get() }
        let problems = decoded.compactMap { result -> String? in
            if case .failure(let error) = result { return error.message }
            return nil
        }
        if !problems.isEmpty { counters.rejected(.malformed, count: problems.count) }
        let answer = problems.isEmpty
            ? HTTPResponse(.ok, body: "") : HTTPResponse(.badRequest, body: Self.jsonString(problems.joined(separator: "; ")))
        guard !alerts.isEmpty else { return responder.respond(answer) }
        store(alerts, format: "alertmanager") { result in
            switch result {
            case .success: responder.respond(answer)
            case .failure(let refusal):
                responder.respond(HTTPResponse(refusal.status, body: Self.jsonString(refusal.message), headers: refusal.headers))
            }
        }
    }

    /// PagerDuty Events API v2: 202 `{status, message, dedup_key}` once
    /// stored; 400 `{status, message, errors}` for an invalid event.
    private func enqueuePagerDuty(_ request: HTTPRequest) async -> HTTPResponse {
        let event: PagerDutyDecoder.Event
        switch PagerDutyDecoder.decode(request.body.readableBytesView, listener: listener, newKey: { UUID().uuidString.lowercased() }) {
        case .failure(let problems):
            counters.rejected(.malformed, count: 1)
            return HTTPResponse(
                .badRequest,
                body: Self.json(["status": "invalid event", "message": "Event object is invalid", "errors": problems.errors]))
        case .success(let decoded): event = decoded
        }
        do {
            switch event.action {
            case .trigger, .resolve:
                if let alert = event.alert, case .failure(let refusal) = await store([alert], format: "pagerduty") {
                    return HTTPResponse(
                        refusal.status,
                        body: Self.json(["status": refusal.pagerDutyStatus, "message": refusal.message, "errors": [refusal.message]]),
                        headers: refusal.headers)
                }
            case .acknowledge:
                counters.received(format: "pagerduty", count: 1)
                // The incident holding that dedup_key; acknowledging twice is not an error here.
                let dedupKey = event.dedupKey
                do {
                    try await pipeline.perform { engine, now in
                        if let id = engine.incident(holding: dedupKey), engine.resident(id)?.state == .open {
                            try engine.acknowledge(id, by: "pagerduty", now: now)
                        }
                    }
                } catch is IncidentCommandError {}
            }
        } catch {
            return HTTPResponse(
                .serviceUnavailable,
                body: Self.json(["status": "error", "message": "not stored, try again", "errors": ["\(error)"]]))
        }
        return HTTPResponse(
            .accepted, body: Self.json(["status": "success", "message": "Event processed", "dedup_key": event.dedupKey]))
    }

    /// Why alerts were not stored, and how to say so.
    struct Refusal: Error {
        /// The queue was full (429, come back in a second) or the store failed (503).
        let overloaded: Bool
        let message: String
        var status: HTTPResponseStatus { overloaded ? .tooManyRequests : .serviceUnavailable }
        var headers: [(name: String, value: String)] { overloaded ? [("Retry-After", "1")] : [] }
        var pagerDutyStatus: String { overloaded ? "throttle event" : "error" }
    }

    /// Commits `alerts` (answered only once they are on disk) and counts
    /// them as received, or says why not. A full queue refuses at once rather
    /// than holding the connection, so the sender can back off.
    private func store(
        _ alerts: [Alert], format: String, done: @escaping @Sendable (Result<[Fate], Refusal>) -> Void
    ) {
        pipeline.ingestDurablyUnlessFull(alerts) { [counters] result in
            switch result {
            case .success(let fates):
                counters.received(format: format, count: alerts.count)
                done(.success(fates))
            case .failure(let error as PipelineOverloaded):
                counters.rejected(.overload, count: alerts.count)
                done(.failure(Refusal(overloaded: true, message: error.description)))
            case .failure(let error):
                done(.failure(Refusal(overloaded: false, message: "not stored, try again: \(error)")))
            }
        }
    }

    private func store(_ alerts: [Alert], format: String) async -> Result<[Fate], Refusal> {
        await withCheckedContinuation { continuation in store(alerts, format: format) { continuation.resume(returning: $0) } }
    }

    /// Enough of Alertmanager's `alertmanagerStatus` for amtool's probe.
    private func alertmanagerStatus() -> HTTPResponse {
        let status: [String: Any] = [
            "cluster": ["status": "disabled", "peers": [] as [Any]],
            "versionInfo": [
                "version": "alertd", "revision": "", "branch": "", "buildUser": "", "buildDate": "", "goVersion": "",
            ],
            "config": ["original": ""],
            "uptime": RFC3339.format(Date()),
        ]
        return HTTPResponse(.ok, body: Self.json(status))
    }

    static func jsonString(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])) ?? Data("[\"\"]".utf8)
        return String(String(decoding: data, as: UTF8.self).dropFirst().dropLast())
    }

    private func incidents(_ request: HTTPRequest) -> HTTPResponse {
        var parameters: [String: String] = [:]
        for pair in (request.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { parameters[parts[0]] = parts[1] }
        }
        do {
            let views = try IncidentReader(store: store).list(
                state: parameters["state"], severity: parameters["severity"], limit: parameters["limit"].flatMap { Int($0) })
            return HTTPResponse(.ok, body: try Self.encode(views))
        } catch let error as ControlError {
            return Self.error(.badRequest, error.message)
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
    }

    private func incident(_ idText: String) -> HTTPResponse {
        guard let id = Int64(idText) else { return Self.error(.badRequest, "incident ids are integers") }
        do {
            return HTTPResponse(.ok, body: try Self.encode(try IncidentReader(store: store).view(of: id)))
        } catch let error as IncidentCommandError {
            return Self.error(.notFound, error.description)
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
    }

    static func error(_ status: HTTPResponseStatus, _ message: String) -> HTTPResponse {
        HTTPResponse(status, body: json(["error": message]))
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
