/// Why a frame was refused. `reason` is the `/metrics` label
/// (`alertd_alerts_rejected_total{reason}`); `message` is for people.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case malformed, tooLarge = "too_large", unauthorized, overload, timeout
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public static func malformed(_ message: String) -> DecodeError { DecodeError(.malformed, message) }

    public var description: String { "\(reason.rawValue): \(message)" }
}
