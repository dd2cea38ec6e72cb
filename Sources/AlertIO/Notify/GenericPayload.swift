import AlertCore
import Foundation

/// alertd's own webhook body (`format: generic`), also what a `command`
/// receiver reads on stdin:
///
/// ```json
/// {"version":"1","kind":"declared","receiver":"oncall","idempotency_key":"alertd-42-7",
///  "subject":"[SEV1] #42 node-7: disk full","text":"Incident declared: SEV1 — …",
///  "incident":{"id":42,"title":"node-7: disk full","severity":"SEV1","state":"open",…,
///              "alerts":[…],"timeline":[…]},
///  "status_update":null}
/// ```
///
/// `incident` is `alertctl --json show`'s shape (`IncidentView`), with its
/// alerts and the timeline so far.
public struct GenericPayload: Codable, Sendable, Equatable {
    public var version: String
    public var kind: String
    public var receiver: String
    public var idempotencyKey: String
    public var subject: String
    public var text: String
    public var incident: IncidentView
    public var statusUpdate: StatusUpdate?

    public init(_ message: PageMessage) {
        version = "1"
        kind = message.kind.rawValue
        receiver = message.receiver
        idempotencyKey = message.idempotencyKey
        subject = message.subject
        text = message.text
        incident = IncidentView(message.incident, timeline: message.timeline)
        statusUpdate = message.statusUpdate
    }

    enum CodingKeys: String, CodingKey {
        case version, kind, receiver
        case idempotencyKey = "idempotency_key"
        case subject, text, incident
        case statusUpdate = "status_update"
    }

    // By hand so a missing status update is `null`, not an absent key.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(kind, forKey: .kind)
        try c.encode(receiver, forKey: .receiver)
        try c.encode(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(subject, forKey: .subject)
        try c.encode(text, forKey: .text)
        try c.encode(incident, forKey: .incident)
        try c.encode(statusUpdate, forKey: .statusUpdate)
    }
}

/// `format: generic`: the `GenericPayload` as JSON.
public struct GenericPayloadEncoder: WebhookPayloadEncoder {
    public init() {}

    public func encode(_ message: PageMessage) throws -> Data {
        try PayloadJSON.encode(GenericPayload(message))
    }
}
