import AlertConfig
import AlertCore
import AlertStore
import Foundation
import NIOCore

/// Answers alertctl's requests (SPEC §7). Reads go straight to the store
/// (WAL lets them run beside the writer); changes go through the pipeline
/// so they are ordered with alerts and committed before the answer.
struct ControlService: Sendable {
    let pipeline: Pipeline
    let store: any IncidentStore
    let metrics: AlertdMetrics
    let startedAt: Date
    /// Re-reads the configuration; returns the problems, or nil if applied.
    let reload: @Sendable () async -> String?

    func handle(_ line: ByteBufferView) async -> String {
        let request: ControlRequest
        do {
            request = try JSONDecoder().decode(ControlRequest.self, from: Data(line))
        } catch {
            return Self.failure("bad request: \(error)")
        }
        do {
            return try await answer(request)
        } catch let error as IncidentCommandError {
            return Self.failure(error.description)
        } catch let error as ControlError {
            return Self.failure(error.message)
        } catch {
            return Self.failure("\(error)")
        }
    }

    private func answer(_ request: ControlRequest) async throws -> String {
        switch request.command {
        case .incidents:
            return try Self.success(
                try reader.list(state: request.state, severity: request.severity, limit: request.limit))
        case .show:
            return try Self.success(try view(of: try Self.id(request)))
        case .ack:
            let id = try Self.id(request)
            let who = request.by ?? "alertctl"
            try await change(id) { engine, now in try engine.acknowledge(id, by: who, now: now) }
            return try Self.success(try view(of: id))
        case .resolve:
            let id = try Self.id(request)
            let who = request.by ?? "alertctl"
            let note = request.text
            try await change(id) { engine, now in try engine.resolve(id, by: who, note: note, now: now) }
            return try Self.success(try view(of: id))
        case .note:
            let id = try Self.id(request)
            let who = request.by ?? "alertctl"
            let text = request.text ?? ""
            try await change(id) { engine, now in try engine.addNote(id, text: text, by: who, now: now) }
            return try Self.success(try view(of: id))
        case .severity:
            let id = try Self.id(request)
            let who = request.by ?? "alertctl"
            guard let name = request.severity else { throw ControlError("severity needs SEV1–SEV4") }
            let severity = try Self.severity(name)
            guard let reason = request.text, !reason.isEmpty else { throw ControlError("severity needs --reason") }
            try await change(id) { engine, now in
                try engine.setSeverity(id, to: severity, reason: reason, by: who, now: now)
            }
            return try Self.success(try view(of: id))
        case .send:
            guard let sent = request.alert, !sent.check.isEmpty else { throw ControlError("send needs --check") }
            var alert = Alert(
                check: sent.check, summary: sent.summary, host: sent.host, source: "alertctl",
                status: sent.resolve ? .resolved : .firing, listener: "alertctl", format: "alertctl")
            alert.severity = try sent.severity.map(Self.severity)
            guard let fate = try await pipeline.ingestDurably([alert]).first else { throw ControlError("not ingested") }
            return try Self.success(
                SendResult(fingerprint: fate.fingerprint, decision: fate.decision.rawValue, incident: fate.incidentID))
        case .explain:
            guard let fingerprint = request.fingerprint else { throw ControlError("explain needs a FINGERPRINT") }
            let holder = try await pipeline.incident(holding: fingerprint)
            guard let fate = try store.fate(of: fingerprint, heldBy: holder) else {
                throw ControlError("no alert with fingerprint \(fingerprint) has been seen")
            }
            return try Self.success(FateView(fate))
        case .stats:
            let counts = try store.counts()
            let stats = StatsView(
                openBySeverity: Dictionary(uniqueKeysWithValues: counts.activeBySeverity.map { ($0.key.description, $0.value) }),
                incidentsByState: Dictionary(uniqueKeysWithValues: counts.byState.map { ($0.key.rawValue, $0.value) }),
                alertsReceived: Int64(metrics.total("alertd_alerts_received_total")),
                alertsRejected: Int64(metrics.total("alertd_alerts_rejected_total")),
                alertsDeduplicated: Int64(metrics.total("alertd_alerts_deduplicated_total")),
                alertsDropped: Int64(metrics.total("alertd_alerts_dropped_total")),
                uptimeSeconds: Int64(Date().timeIntervalSince(startedAt)))
            return try Self.success(stats)
        case .update:
            let id = try Self.id(request)
            guard let name = request.status, let status = StatusUpdate.Status(rawValue: name) else {
                throw ControlError("update needs --status investigating, mitigating or monitoring")
            }
            guard let impact = request.impact, !impact.isEmpty, let next = request.next, !next.isEmpty else {
                throw ControlError("update needs --impact and --next")
            }
            let update = StatusUpdate(status: status, impact: impact, next: next, by: request.by ?? "alertctl")
            try await change(id) { engine, now in try engine.postStatusUpdate(id, update, now: now) }
            return try Self.success(try view(of: id))
        case .assign:
            let id = try Self.id(request)
            let roles = request.roles ?? [:]
            if let unknown = roles.keys.first(where: { !["ic", "ops", "comms"].contains($0) }) {
                throw ControlError("unknown role \"\(unknown)\" (ic, ops, comms)")
            }
            let who = request.by ?? "alertctl"
            try await change(id) { engine, now in try engine.assignRoles(id, roles, by: who, now: now) }
            return try Self.success(try view(of: id))
        case .reload:
            if let problems = await reload() { throw ControlError(problems) }
            return try Self.success(["reloaded": true])
        }
    }

    /// Runs an admin change in the pipeline, first loading the incident from
    /// the store if the engine no longer knows it (an old, resolved one).
    private func change(_ id: Int64, _ body: @escaping @Sendable (inout IncidentEngine, Date) throws -> Void) async throws {
        let stored = try store.incident(id)
        try await pipeline.perform { engine, now in
            if engine.resident(id) == nil, let stored { engine.adopt(stored) }
            try body(&engine, now)
        }
    }

    private var reader: IncidentReader { IncidentReader(store: store) }

    private func view(of id: Int64) throws -> IncidentView { try reader.view(of: id) }

    private static func id(_ request: ControlRequest) throws -> Int64 {
        guard let id = request.id, id > 0 else { throw ControlError("an incident ID is required") }
        return id
    }

    private static func severity(_ text: String) throws -> Severity { try IncidentReader.severity(text) }

    private static func success(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let result = String(decoding: try encoder.encode(value), as: UTF8.self)
        return "{\"ok\":true,\"result\":\(result)}"
    }

    private static func failure(_ message: String) -> String {
        struct Failure: Encodable {
            let ok = false
            let error: String
        }
        let data = (try? JSONEncoder().encode(Failure(error: message))) ?? Data(#"{"ok":false}"#.utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

struct ControlError: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
