import AlertCore
import Foundation

/// Reads `alertd.yaml` and its `rules.d/*.yaml` into a validated
/// `AlertdConfig`, or throws every problem found, each with file, line, key
/// path and the fix (SPEC §1, §2, §4, §5).
public enum ConfigLoader {
    /// Reads PATH and every `rules.d/*.yaml` beside it (`dirname(PATH)/rules.d/`,
    /// sorted by file name; their `rules:` lists are appended after the main
    /// file's rules, in that order). Rule files may contain only a `rules:` key.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigProblems) -> AlertdConfig {
        let log = ProblemLog()
        let main = readFile(path, log: log).flatMap { YAMLDocumentParser.root(yaml: $0, file: path, log: log) }
        var document = main.map(ConfigDocument.main) ?? ConfigDocument()
        let ruleFiles = ruleFiles(besideConfig: path, log: log)
        for file in ruleFiles {
            guard let text = readFile(file, log: log),
                let root = YAMLDocumentParser.root(yaml: text, file: file, log: log)
            else { continue }
            document.rules += ConfigDocument.ruleFile(root)
        }
        return try assemble(document, sources: [path] + ruleFiles, environment: environment, log: log)
    }

    /// Parses one YAML document given as text (for tests); `file` is the
    /// name used in messages.
    public static func parse(
        yaml: String, file: String, environment: [String: String] = [:]
    ) throws(ConfigProblems) -> AlertdConfig {
        let log = ProblemLog()
        let root = YAMLDocumentParser.root(yaml: yaml, file: file, log: log)
        let document = root.map(ConfigDocument.main) ?? ConfigDocument()
        return try assemble(document, sources: [file], environment: environment, log: log)
    }

    /// `dirname(configPath)/rules.d/*.yaml`, sorted by file name. Hidden
    /// files and other extensions are skipped, like a shell glob would.
    static func ruleFiles(besideConfig configPath: String, log: ProblemLog) -> [String] {
        var directory = (configPath as NSString).deletingLastPathComponent
        if directory.isEmpty { directory = "." }
        let rulesDirectory = (directory as NSString).appendingPathComponent("rules.d")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: rulesDirectory, isDirectory: &isDirectory), isDirectory.boolValue
        else { return [] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: rulesDirectory)
                .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }
                .sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) }
                .map { (rulesDirectory as NSString).appendingPathComponent($0) }
        } catch {
            log.add(ConfigProblem(file: rulesDirectory, path: "", message: "cannot list the directory: \(error)"))
            return []
        }
    }

    static func readFile(_ path: String, log: ProblemLog) -> String? {
        guard FileManager.default.fileExists(atPath: path) else {
            log.add(ConfigProblem(file: path, path: "", message: "no such file"))
            return nil
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            log.add(ConfigProblem(file: path, path: "", message: "cannot read the file (check its permissions)"))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            log.add(ConfigProblem(file: path, path: "", message: "the file is not UTF-8 text"))
            return nil
        }
        return text
    }

    /// Checks what spans files (rule names) and builds the config, or throws
    /// every problem collected.
    static func assemble(
        _ document: ConfigDocument, sources: [String], environment: [String: String], log: ProblemLog
    ) throws(ConfigProblems) -> AlertdConfig {
        checkUniqueRuleNames(document.rules, log: log)
        guard log.isEmpty else { throw ConfigProblems(problems: log.problems(inOrderOf: sources)) }
        return AlertdConfig(
            listeners: document.listeners ?? embeddedDefault(environment: environment).listeners,
            limits: document.limits, defaultSeverity: document.defaultSeverity,
            rules: document.rules.map(\.rule), incidents: document.incidents, storage: document.storage,
            control: document.control, log: document.log, policies: document.policies, receivers: document.receivers,
            businessHours: document.businessHours, sources: sources)
    }

    static func checkUniqueRuleNames(_ rules: [LocatedRule], log: ProblemLog) {
        var firstUse: [String: LocatedRule] = [:]
        for located in rules {
            guard let earlier = firstUse[located.rule.name] else {
                firstUse[located.rule.name] = located
                continue
            }
            let place = earlier.file == located.file ? "" : " in \(earlier.file)"
            let line = earlier.line.map { " (line \($0))" } ?? ""
            log.add(
                ConfigProblem(
                    file: located.file, line: located.line, column: located.column, path: "\(located.path).name",
                    message: "rule name \"\(located.rule.name)\" is already used by \(earlier.path)\(place)\(line); "
                        + "rule names must be unique across alertd.yaml and rules.d"))
        }
    }
}
