/// Problems collected while reading one configuration; shared by every
/// `ConfigReader` of a load so that all of them are reported, not the first.
final class ProblemLog {
    private(set) var problems: [ConfigProblem] = []

    func add(_ problem: ConfigProblem) { problems.append(problem) }

    var isEmpty: Bool { problems.isEmpty }

    /// The problems file by file in `files` order (others last), each file's
    /// top to bottom, as a compiler would list them.
    func problems(inOrderOf files: [String]) -> [ConfigProblem] {
        func key(_ entry: (offset: Int, element: ConfigProblem)) -> (Int, Int, Int, Int) {
            let problem = entry.element
            let fileIndex = files.firstIndex(of: problem.file) ?? files.count
            return (fileIndex, problem.line ?? 0, problem.column ?? 0, entry.offset)
        }
        // The offset last keeps problems at one place in the order found.
        return problems.enumerated()
            .sorted { key($0) < key($1) }
            .map(\.element)
    }
}
