import AlertConfig
import AlertDaemon
import ArgumentParser
import Foundation
import AlertIO
import Logging

@main
struct Alertd: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "alertd",
        abstract: "Alert intake: listens for alerts, deduplicates and classifies them, opens incidents.",
        version: version,
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: /etc/alertd/alertd.yaml, else the embedded default).")
    var config: String?
}

extension Alertd {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve", abstract: "Run the daemon in the foreground (the default).")

        @OptionGroup var options: ConfigOption

        func run() async throws {
            let daemonOptions = Daemon.Options(configPath: options.config)
            let loaded = daemonOptions.loadConfig()
            let log = (try? loaded.get())?.log ?? LogConfig()
            AlertdLogging.bootstrap(log)
            let status = await Daemon(options: daemonOptions).run(loaded)
            if status != 0 { throw ExitCode(status) }
        }
    }

    struct CheckConfig: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check-config", abstract: "Validate the configuration and rules; exit 0 if good, 1 if not.")

        @OptionGroup var options: ConfigOption

        func run() throws {
            let path = options.config ?? (FileManager.default.fileExists(atPath: Daemon.defaultConfigPath) ? Daemon.defaultConfigPath : nil)
            guard let path else {
                print("no configuration file; the embedded default is in force and valid")
                return
            }
            do {
                let config = try ConfigLoader.load(path: path)
                print("configuration OK: \(config.sources.joined(separator: ", ")) (\(config.rules.count) rules, \(config.listeners.count) listeners)")
            } catch {
                FileHandle.standardError.write(Data((error.description + "\n").utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// Journal when asked (`log.target: journal`) or when stderr is the journal
/// (`JOURNAL_STREAM`); stderr otherwise.
enum AlertdLogging {
    static func bootstrap(_ config: LogConfig) {
        let journal = config.target == .journal || (config.target == .auto && JournalLogHandler.stderrIsJournal())
        let level = Logger.Level(rawValue: config.level.rawValue) ?? .info
        LoggingSystem.bootstrap { label in
            if journal {
                var handler = JournalLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StderrLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
