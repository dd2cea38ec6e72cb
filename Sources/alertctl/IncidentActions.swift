import AlertCore
import ArgumentParser

/// `ack`, `resolve`, `note`, `severity`: acting on an incident. Each prints
/// one confirming line, e.g. `#42 acknowledged by alice`.
extension Alertctl {
    struct Ack: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Acknowledge an incident (stops escalation).")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @OptionGroup var actor: ActorOption

        func run() throws {
            let by = actor.resolved
            try ControlSession(options: options).run(
                ControlRequest(command: .ack, id: id, by: by), as: IncidentView.self
            ) { IncidentFormat.confirmation($0, "acknowledged by \($0.acknowledgedBy ?? by)") }
        }
    }

    struct Resolve: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve an incident.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @OptionGroup var actor: ActorOption
        @Option(help: "A note recorded with the resolution.")
        var note: String?

        func run() throws {
            let by = actor.resolved
            try ControlSession(options: options).run(
                ControlRequest(command: .resolve, id: id, by: by, text: note), as: IncidentView.self
            ) { IncidentFormat.confirmation($0, "resolved by \($0.resolvedBy ?? by)") }
        }
    }

    struct Note: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a note to an incident's timeline.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @Argument(help: "The note.")
        var text: String
        @OptionGroup var actor: ActorOption

        func validate() throws {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("the note is empty")
            }
        }

        func run() throws {
            let by = actor.resolved
            try ControlSession(options: options).run(
                ControlRequest(command: .note, id: id, by: by, text: text), as: IncidentView.self
            ) { IncidentFormat.confirmation($0, "note added by \(by)") }
        }
    }

    struct SetSeverity: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "severity", abstract: "Change an incident's severity.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "Incident ID (42 or #42).", transform: ArgumentParsing.incidentID)
        var id: Int64
        @Argument(help: "The new severity (SEV1–SEV4).", transform: ArgumentParsing.severity)
        var severity: Severity
        @Option(help: "Why the severity changes (recorded in the timeline).")
        var reason: String
        @OptionGroup var actor: ActorOption

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ValidationError("--reason must not be empty")
            }
        }

        func run() throws {
            let by = actor.resolved
            let request = ControlRequest(command: .severity, id: id, by: by, text: reason, severity: severity.description)
            try ControlSession(options: options).run(request, as: IncidentView.self) {
                IncidentFormat.confirmation($0, "severity changed to \($0.severity) by \(by)")
            }
        }
    }
}
