import AlertCore
import Foundation

/// Mails pages through a sendmail-style command (SPEC §5 `email`): the
/// `EmailMessage` on the command's stdin, no shell, and no alert text in its
/// arguments. Exit statuses as `CommandRunner` describes (sendmail's 75
/// EX_TEMPFAIL retries).
///
/// Under the hardened unit (`NoNewPrivileges=yes`) Postfix's setgid
/// `sendmail` cannot queue mail; use a non-setgid one such as `msmtp -t`.
public struct EmailNotifier: Notifier {
    private let runner: CommandRunner
    private let from: String
    private let to: [String]
    private let hostname: String

    /// - Parameters:
    ///   - command: argv, e.g. `["/usr/sbin/sendmail", "-t", "-oi"]` or
    ///     `["msmtp", "-t"]`; a bare name is looked up in `PATH`.
    ///   - hostname: for `Message-ID`; the machine's name by default.
    /// - Throws: `NotifierSetupError` for an empty command or no recipients.
    public init(command: [String], to: [String], from: String, timeout: TimeInterval = 30, hostname: String? = nil)
        throws
    {
        guard !to.isEmpty else { throw NotifierSetupError("email: no recipients in to") }
        runner = try CommandRunner(argv: command, timeout: timeout, what: "email command")
        self.to = to
        self.from = from
        self.hostname = hostname ?? Self.localHostname()
    }

    public func deliver(_ message: PageMessage) async -> DeliveryResult {
        let bytes = EmailMessage.render(message, from: from, to: to, hostname: hostname, date: Date())
        return await runner.run(stdin: bytes)
    }

    static func localHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
