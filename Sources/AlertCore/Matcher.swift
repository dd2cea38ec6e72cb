import Foundation

/// One Alertmanager-style matcher: `name = "value"`, `!=`, `=~`, `!~`.
///
/// Regexes are anchored at both ends, as in Alertmanager, so
/// `host =~ "db.*"` matches `db-1` but not `old-db-1`.
public struct Matcher: Sendable, CustomStringConvertible {
    public enum Operator: String, Sendable, CaseIterable {
        case equal = "=", notEqual = "!=", regexMatch = "=~", regexNoMatch = "!~"
    }

    public let name: String
    public let op: Operator
    public let value: String
    private let regex: AnchoredRegex?

    public init(name: String, op: Operator, value: String) throws(MatcherError) {
        guard Matcher.isValidName(name) else { throw .badName(name) }
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: regex = nil
        case .regexMatch, .regexNoMatch:
            do { regex = try AnchoredRegex(value) } catch {
                // Foundation's error text on Linux says nothing useful; name the syntax instead.
                throw .badRegex(value, "not a valid regular expression (ICU syntax, as in Alertmanager's RE2 for common patterns)")
            }
        }
    }

    /// Parses `name op "value"` (the value may also be unquoted).
    public init(parsing text: String) throws(MatcherError) {
        let scalars = Array(text.unicodeScalars)
        var i = 0
        func skipSpaces() { while i < scalars.count, scalars[i] == " " || scalars[i] == "\t" { i += 1 } }
        skipSpaces()
        let nameStart = i
        while i < scalars.count, Matcher.isNameScalar(scalars[i], first: i == nameStart) { i += 1 }
        let name = String(String.UnicodeScalarView(scalars[nameStart..<i]))
        guard !name.isEmpty else { throw .syntax(text, "expected a label name like env or check at the start") }
        skipSpaces()
        guard i + 1 <= scalars.count else { throw .syntax(text, "expected an operator (=, !=, =~, !~) after \"\(name)\"") }
        let op: Operator
        let two = i + 1 < scalars.count ? String(String.UnicodeScalarView(scalars[i...i + 1])) : ""
        if let twoOp = Operator(rawValue: two), twoOp != .equal {
            op = twoOp
            i += 2
        } else if scalars[i] == "=" {
            if two == "==" { throw .syntax(text, "\"==\" is not an operator; use = (equal), !=, =~ or !~") }
            op = .equal
            i += 1
        } else {
            throw .syntax(text, "expected an operator (=, !=, =~, !~) after \"\(name)\"")
        }
        skipSpaces()
        var value = ""
        if i < scalars.count, scalars[i] == "\"" {
            i += 1
            var closed = false
            while i < scalars.count {
                let c = scalars[i]
                if c == "\\", i + 1 < scalars.count {
                    let next = scalars[i + 1]
                    switch next {
                    case "n": value.unicodeScalars.append("\n")
                    case "t": value.unicodeScalars.append("\t")
                    default: value.unicodeScalars.append(next)
                    }
                    i += 2
                    continue
                }
                if c == "\"" {
                    closed = true
                    i += 1
                    break
                }
                value.unicodeScalars.append(c)
                i += 1
            }
            guard closed else { throw .syntax(text, "the quoted value is not closed with \"") }
            skipSpaces()
            guard i == scalars.count else { throw .syntax(text, "unexpected text after the quoted value") }
        } else {
            value = String(String.UnicodeScalarView(scalars[i...])).trimmingCharacters(in: .whitespaces)
            if value.contains("\"") { throw .syntax(text, "quote the whole value: name = \"value\"") }
        }
        try self.init(name: name, op: op, value: value)
    }

    public func matches(_ alert: Alert) -> Bool { matches(value: alert.value(of: name)) }

    public func matches(value candidate: String) -> Bool {
        switch op {
        case .equal: return candidate == value
        case .notEqual: return candidate != value
        case .regexMatch: return regex!.matches(candidate)
        case .regexNoMatch: return !regex!.matches(candidate)
        }
    }

    public var description: String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return "\(name) \(op.rawValue) \"\(escaped)\""
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, isNameScalar(first, first: true) else { return false }
        return name.unicodeScalars.allSatisfy { isNameScalar($0, first: false) }
    }

    private static func isNameScalar(_ c: Unicode.Scalar, first: Bool) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "_": return true
        case "0"..."9": return !first
        default: return false
        }
    }
}

public enum MatcherError: Error, Equatable, CustomStringConvertible {
    case syntax(String, String)
    case badName(String)
    case badRegex(String, String)

    public var description: String {
        switch self {
        case .syntax(let text, let why): return "bad matcher '\(text)': \(why)"
        case .badName(let name): return "bad matcher label name \"\(name)\": use letters, digits and _"
        case .badRegex(let pattern, let why): return "bad regular expression \"\(pattern)\": \(why)"
        }
    }
}

/// An NSRegularExpression wrapped as `^(?:pattern)\z`: `\z` is the true end
/// of the text (ICU's `$` also matches before a trailing newline, which
/// Alertmanager's anchoring does not).
struct AnchoredRegex: @unchecked Sendable {
    // NSRegularExpression is immutable after creation and documented as
    // thread-safe for matching.
    private let regex: NSRegularExpression

    init(_ pattern: String) throws {
        regex = try NSRegularExpression(pattern: "^(?:\(pattern))\\z", options: [])
    }

    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        return regex.firstMatch(in: text, options: [], range: range) != nil
    }
}
