import AlertCore

/// Sends pages on one receiver channel (a webhook, an email command, a
/// command, the log). Never throws: every outcome is a `DeliveryResult`, and
/// a notifier bounds its own time (timeouts), so a dead receiver cannot
/// stall the dispatcher.
public protocol Notifier: Sendable {
    func deliver(_ message: PageMessage) async -> DeliveryResult
}
