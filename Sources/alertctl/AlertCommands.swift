import AlertCore
import ArgumentParser

/// `send` and `explain`: submitting a test alert and asking what became of one.
extension Alertctl {
    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Submit an alert, as a sender would.")

        @OptionGroup var options: GlobalOptions
        @Option(help: "The check that fired (e.g. disk).")
        var check: String
        @Option(help: "The host it fired on.")
        var host: String?
        @Option(help: "One line describing the problem.")
        var summary: String?
        @Option(help: "Severity (SEV1–SEV4; default: the rules decide).", transform: ArgumentParsing.severity)
        var severity: Severity?
        @Flag(help: "Send a recovery (resolved) instead of a firing alert.")
        var resolve = false

        func validate() throws {
            guard !check.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("--check must not be empty")
            }
        }

        func run() throws {
            let alert = SendAlert(
                check: check, host: host, summary: summary, severity: severity?.description, resolve: resolve)
            try ControlSession(options: options).run(
                ControlRequest(command: .send, alert: alert), as: SendResult.self, render: ReportFormat.sent)
        }
    }

    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Explain what alertd decided for an alert fingerprint, and why.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The alert's fingerprint (as `show` lists it).")
        var fingerprint: String

        func validate() throws {
            guard !fingerprint.isEmpty else { throw ValidationError("the fingerprint is empty") }
        }

        func run() throws {
            try ControlSession(options: options).run(
                ControlRequest(command: .explain, fingerprint: fingerprint), as: FateView.self,
                render: ReportFormat.explain)
        }
    }
}
