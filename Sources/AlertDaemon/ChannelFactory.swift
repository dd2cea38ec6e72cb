import AlertConfig
import AlertIO
import AsyncHTTPClient
import Logging

/// Builds each receiver's channels from the configuration: the one place
/// that maps `ChannelConfig` onto notifiers. Fails (and a reload is refused)
/// when a channel cannot be set up, e.g. an unreadable template or secret.
struct ChannelFactory: Sendable {
    let http: HTTPClient
    let logger: Logger

    func channels(for receivers: [String: ReceiverConfig]) throws -> [String: [Channel]] {
        var channels: [String: [Channel]] = [:]
        for (name, receiver) in receivers {
            channels[name] = try receiver.channels.map { Channel(kind: $0.kind, notifier: try notifier(for: $0, receiver: name)) }
        }
        return channels
    }

    private func notifier(for channel: ChannelConfig, receiver: String) throws -> any Notifier {
        switch channel {
        case .webhook(let webhook):
            let format: WebhookNotifier.Format
            switch webhook.format {
            case .generic: format = .generic
            case .slack: format = .slack
            case .alertmanager: format = .alertmanager
            case .pagerduty: format = .pagerduty(routingKey: webhook.routingKey ?? "")
            case .template(let path): format = .template(path: path)
            }
            return try WebhookNotifier(
                url: webhook.url, format: format, timeout: webhook.timeout, headers: webhook.headers,
                hmacSecretFile: webhook.hmacSecretFile, client: http, logger: logger)
        case .email(let email):
            return try EmailNotifier(command: email.command, to: email.to, from: email.from, timeout: email.timeout)
        case .command(let command):
            return try CommandNotifier(argv: command.argv, timeout: command.timeout)
        case .log:
            return LogNotifier(logger: logger)
        }
    }
}
