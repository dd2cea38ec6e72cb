import AlertConfig

/// Where state and sockets live (SPEC §1): an explicit config key wins, then
/// the directories systemd gives (`STATE_DIRECTORY`, `RUNTIME_DIRECTORY`),
/// then `./.alertd/` so a first `make run` works anywhere.
struct RuntimePaths {
    let sqlite: String
    let controlSocket: String

    init(config: AlertdConfig, environment: [String: String]) {
        sqlite = config.storage.sqlitePath ?? Self.directory("STATE_DIRECTORY", environment) + "/alertd.sqlite"
        controlSocket = config.control.socketPath ?? Self.directory("RUNTIME_DIRECTORY", environment) + "/control.sock"
    }

    /// The first of systemd's colon-separated directories, or `./.alertd`.
    static func directory(_ variable: String, _ environment: [String: String]) -> String {
        guard let value = environment[variable], let first = value.split(separator: ":").first, !first.isEmpty else {
            return "./.alertd"
        }
        return String(first)
    }
}
