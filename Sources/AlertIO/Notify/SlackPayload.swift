import AlertCore
import Foundation

/// `format: slack`: a Slack incoming-webhook message (also accepted by
/// Mattermost and Rocket.Chat), `{"text":"<subject>\n<text>"}`.
public struct SlackPayloadEncoder: WebhookPayloadEncoder {
    public init() {}

    public func encode(_ message: PageMessage) throws -> Data {
        try PayloadJSON.encode(["text": message.subject + "\n" + message.text])
    }
}
