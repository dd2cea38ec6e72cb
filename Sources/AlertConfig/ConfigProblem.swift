/// One thing wrong with a configuration file: where it is and what would be
/// right. Printed as `FILE:LINE:COL: PATH: MESSAGE`, the shape compilers use,
/// so editors and `alertd check-config` output can jump to it.
public struct ConfigProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem is not tied to a place in the file
    /// (for example the file cannot be read).
    public var line: Int?
    public var column: Int?
    /// The key path, like `rules[2].match[0]` or `listen[1].udp`; empty for
    /// the document as a whole.
    public var path: String
    /// What is wrong and what would be right.
    public var message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, path: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    public var description: String {
        var place = file
        if let line {
            place += ":\(line)"
            if let column { place += ":\(column)" }
        }
        return path.isEmpty ? "\(place): \(message)" : "\(place): \(path): \(message)"
    }
}

/// Every problem found while loading a configuration, across all its files.
public struct ConfigProblems: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigProblem]

    public init(problems: [ConfigProblem]) { self.problems = problems }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
