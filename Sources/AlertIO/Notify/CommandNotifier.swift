import AlertCore
import Foundation

/// Runs a command for each page (SPEC §5 `command`, e.g. a ticket opener):
/// the `GenericPayload` JSON on stdin, argv as configured, no shell, no
/// alert text in the arguments. Exit statuses as `CommandRunner` describes.
public struct CommandNotifier: Notifier {
    private let runner: CommandRunner

    /// - Parameter argv: the command and its arguments; a bare name is looked
    ///   up in `PATH`.
    /// - Throws: `NotifierSetupError` for an empty argv.
    public init(argv: [String], timeout: TimeInterval = 30) throws {
        runner = try CommandRunner(argv: argv, timeout: timeout, what: "command")
    }

    public func deliver(_ message: PageMessage) async -> DeliveryResult {
        let json: Data
        do {
            json = try GenericPayloadEncoder().encode(message)
        } catch {
            return .permanent(reason: "cannot encode the incident JSON: \(error)")
        }
        return await runner.run(stdin: Array(json) + [UInt8(ascii: "\n")])
    }
}
