import AlertCore
import ArgumentParser

/// `update` and `assign`: running the response (status updates go to
/// everyone paged; roles go on the timeline).
extension Alertctl {
    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Post a status update (status / impact / next steps); it is sent to everyone paged.")

        enum Status: String, ExpressibleByArgument, CaseIterable { case investigating, mitigating, monitoring }

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @Option(help: "investigating, mitigating or monitoring (monitoring marks the incident mitigated).")
        var status: Status
        @Option(help: "Who or what is affected, in plain words.")
        var impact: String
        @Option(help: "What happens next, and when the next update comes.")
        var next: String
        @OptionGroup var actor: ActorOption

        func validate() throws {
            for (name, value) in [("--impact", impact), ("--next", next)]
            where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("\(name) must not be empty")
            }
        }

        func run() throws {
            let request = ControlRequest(
                command: .update, id: id, by: actor.resolved, status: status.rawValue, impact: impact, next: next)
            try ControlSession(options: options).run(request, as: IncidentView.self) {
                IncidentFormat.confirmation($0, "status update posted (\(status.rawValue))")
            }
        }
    }

    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Assign incident roles.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @Option(help: "Incident commander.") var ic: String?
        @Option(help: "Operations lead.") var ops: String?
        @Option(help: "Communications lead.") var comms: String?
        @OptionGroup var actor: ActorOption

        func validate() throws {
            if ic == nil && ops == nil && comms == nil { throw ValidationError("give at least one of --ic, --ops, --comms") }
        }

        func run() throws {
            var roles: [String: String] = [:]
            roles["ic"] = ic
            roles["ops"] = ops
            roles["comms"] = comms
            let request = ControlRequest(command: .assign, id: id, by: actor.resolved, roles: roles)
            try ControlSession(options: options).run(request, as: IncidentView.self) { view in
                IncidentFormat.confirmation(view, "roles: " + view.roles.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
        }
    }
}
