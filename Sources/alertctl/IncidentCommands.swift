import AlertCore
import ArgumentParser

/// `alertctl incidents` and `alertctl show`: reading incidents.
extension Alertctl {
    struct Incidents: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List incidents.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Only incidents in this state (default: the daemon's choice of active ones).")
        var state: StateFilter?

        @Option(help: "Only incidents of this severity (SEV1–SEV4).", transform: ArgumentParsing.severity)
        var severity: Severity?

        @Option(help: "At most this many incidents.", transform: ArgumentParsing.positiveCount)
        var limit: Int?

        func run() throws {
            let request = ControlRequest(
                command: .incidents, state: state?.rawValue, severity: severity?.description, limit: limit)
            try ControlSession(options: options).run(request, as: [IncidentView].self, render: IncidentFormat.list)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one incident with its alerts and timeline.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64

        func run() throws {
            try ControlSession(options: options).run(
                ControlRequest(command: .show, id: id), as: IncidentView.self, render: IncidentFormat.detail)
        }
    }
}
