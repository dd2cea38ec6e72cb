import AlertCore
import Foundation

/// Turns a page into a webhook request body. Pure: no I/O, so each format is
/// tested without a socket.
public protocol WebhookPayloadEncoder: Sendable {
    func encode(_ message: PageMessage) throws -> Data
}

enum PayloadJSON {
    /// Sorted keys for stable bodies (and signatures) across runs; slashes
    /// unescaped because receivers show URLs and paths as written.
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}
