import AlertCore
import ArgumentParser

/// `stats` and `reload`: the daemon itself.
extension Alertctl {
    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show incident and ingestion counters.")

        @OptionGroup var options: GlobalOptions

        func run() throws {
            try ControlSession(options: options).run(
                ControlRequest(command: .stats), as: StatsView.self, render: ReportFormat.stats)
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reload alertd's configuration.",
            discussion: "A bad file is not applied; alertd keeps the old one and this prints the file, line and reason.")

        @OptionGroup var options: GlobalOptions

        /// Only `reloaded` matters for people; anything else the daemon adds
        /// shows up under `--json`.
        struct Outcome: Decodable { var reloaded: Bool }

        func run() throws {
            try ControlSession(options: options).run(ControlRequest(command: .reload), as: Outcome.self) {
                $0.reloaded ? "reloaded" : "not reloaded"
            }
        }
    }
}
