import AlertCore
import Logging

/// `- log: {}`: writes the page to alertd's log (the journal under systemd)
/// at notice level, with `incident_id`, `severity` and `receiver` metadata.
/// Always sent.
public struct LogNotifier: Notifier {
    private let logger: Logger

    public init(logger: Logger = Logger(label: "alertd.notify.log")) {
        self.logger = logger
    }

    public func deliver(_ message: PageMessage) async -> DeliveryResult {
        logger.notice(
            "\(message.subject)\n\(message.text)",
            metadata: [
                "incident_id": "\(message.incident.id)",
                "severity": "\(message.incident.severity)",
                "receiver": "\(message.receiver)",
            ])
        return .sent
    }
}
