import Yams

/// Turns YAML text into the root `ConfigReader`, or a problem with the file
/// and line when the text is not YAML.
enum YAMLDocumentParser {
    /// nil when the text has a syntax error (reported) or holds no document
    /// (an empty or all-comment file, which sets nothing).
    static func root(yaml: String, file: String, log: ProblemLog) -> ConfigReader? {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { return nil }
            return ConfigReader(node: node, path: "", file: file, log: log)
        } catch let error as YamlError {
            log.add(problem(error, yaml: yaml, file: file))
        } catch {
            log.add(ConfigProblem(file: file, path: "", message: "cannot parse YAML: \(error)"))
        }
        return nil
    }

    static func problem(_ error: YamlError, yaml: String, file: String) -> ConfigProblem {
        func syntax(_ context: YamlError.Context?, _ problem: String, _ mark: Mark) -> ConfigProblem {
            var message = "YAML syntax error: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            if indentedWithTab(line: mark.line, in: yaml) { message += "; indent YAML with spaces, not tabs" }
            return ConfigProblem(file: file, line: mark.line, column: mark.column, path: "", message: message)
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return syntax(context, problem, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "`\($0)`" }.joined(separator: ", ")
            return ConfigProblem(
                file: file, line: context.mark.line, column: context.mark.column, path: "",
                message: "key \(keys) appears more than once in the same mapping; keep one")
        case .reader(let problem, let offset, _, _):
            let (line, column) = offset.map { position(ofCharacter: $0, in: yaml) } ?? (nil, nil)
            return ConfigProblem(
                file: file, line: line, column: column, path: "", message: "not readable as YAML text: \(problem)")
        default:
            return ConfigProblem(file: file, path: "", message: "cannot parse YAML: \(error)")
        }
    }

    private static func indentedWithTab(line: Int, in text: String) -> Bool {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard line >= 1, line <= lines.count else { return false }
        return lines[line - 1].prefix { $0 == " " || $0 == "\t" }.contains("\t")
    }

    /// 1-based line and column of the character at `offset`.
    private static func position(ofCharacter offset: Int, in text: String) -> (Int?, Int?) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
