import Foundation
import Testing

@testable import AlertCore

@Suite("Matcher")
struct MatcherTests {
    // MARK: Parsing

    @Test(
        "parses name, operator and value",
        arguments: [
            (#"check = "node_down""#, "check", Matcher.Operator.equal, "node_down"),
            (#"env!="dev""#, "env", .notEqual, "dev"),
            (#"host =~ "db.*""#, "host", .regexMatch, "db.*"),
            (#"host!~"web-[0-9]+""#, "host", .regexNoMatch, "web-[0-9]+"),
            (#"   env   =   "dev"   "#, "env", .equal, "dev"),
            ("\tenv\t!=\t\"dev\"\t", "env", .notEqual, "dev"),
            (#"summary = "disk is full""#, "summary", .equal, "disk is full"),
            (#"summary = "say \"hi\"""#, "summary", .equal, #"say "hi""#),
            (#"path = "C:\\temp""#, "path", .equal, #"C:\temp"#),
            (#"msg = "a\nb\tc""#, "msg", .equal, "a\nb\tc"),
            (#"host =~ "db\\.example\\.com""#, "host", .regexMatch, #"db\.example\.com"#),
            (#"env = dev"#, "env", .equal, "dev"),
            (#"env=~dev|staging"#, "env", .regexMatch, "dev|staging"),
            (#"env = """#, "env", .equal, ""),
            (#"env ="#, "env", .equal, ""),
            (#"env = "=~""#, "env", .equal, "=~"),
            (#"team_2 = "x""#, "team_2", .equal, "x"),
            (#"_private = "x""#, "_private", .equal, "x"),
            (#"summary = "café ✓ 97%""#, "summary", .equal, "café ✓ 97%"),
        ])
    func parses(text: String, name: String, op: Matcher.Operator, value: String) throws {
        let matcher = try Matcher(parsing: text)
        #expect(matcher.name == name)
        #expect(matcher.op == op)
        #expect(matcher.value == value)
    }

    enum ErrorKind: String { case syntax, badName, badRegex }

    static func kind(of error: MatcherError) -> ErrorKind {
        switch error {
        case .syntax: return .syntax
        case .badName: return .badName
        case .badRegex: return .badRegex
        }
    }

    @Test(
        "bad syntax raises MatcherError",
        arguments: [
            ("", ErrorKind.syntax),
            ("   ", .syntax),
            ("env", .syntax),  // no operator
            (#"env "dev""#, .syntax),  // no operator
            (#"env ! "dev""#, .syntax),
            (#"env == "dev""#, .syntax),
            (#"env = "dev"#, .syntax),  // unclosed quote
            (#"env == "dev""#, .syntax),  // == is not Alertmanager syntax
            (#"env = "dev\""#, .syntax),  // the only closing quote is escaped
            (#"env = "dev" and more"#, .syntax),
            (#"env = dev"s"#, .syntax),
            (#"= "dev""#, .syntax),  // no name
            (#"1env = "x""#, .syntax),  // name may not start with a digit
            (#"env-x = "x""#, .syntax),  // '-' is not a name character
            (#"host =~ "db[0-9""#, .badRegex),
            (#"host !~ "*""#, .badRegex),
            (#"host =~ "(unclosed""#, .badRegex),
        ])
    func rejects(text: String, kind: ErrorKind) {
        let error = #expect(throws: MatcherError.self) { try Matcher(parsing: text) }
        if let error {
            #expect(Self.kind(of: error) == kind, "\(error)")
            #expect(error.description.isEmpty == false)
        }
    }

    @Test("error messages name the problem")
    func errorMessages() {
        let noOperator = #expect(throws: MatcherError.self) { try Matcher(parsing: "env") }
        #expect(noOperator?.description.contains("operator") == true)
        let unclosed = #expect(throws: MatcherError.self) { try Matcher(parsing: #"env = "dev"#) }
        #expect(unclosed?.description.contains("not closed") == true)
        let doubled = #expect(throws: MatcherError.self) { try Matcher(parsing: #"env == "dev""#) }
        #expect(doubled?.description.contains("\"==\" is not an operator") == true)
        let regex = #expect(throws: MatcherError.self) { try Matcher(parsing: #"host =~ "db[0-9""#) }
        #expect(regex?.description.contains("db[0-9") == true)
    }

    @Test(
        "a name that is not letters, digits and _ is refused", arguments: ["", "1env", "env-x", "env x", "é", "env.x"])
    func badName(name: String) {
        #expect(throws: MatcherError.badName(name)) { try Matcher(name: name, op: .equal, value: "x") }
    }

    @Test(
        "description quotes and escapes the value, and parses back",
        arguments: ["dev", "disk is full", #"say "hi""#, #"C:\temp"#, #"trailing\"#, ""])
    func descriptionRoundTrips(value: String) throws {
        for op in Matcher.Operator.allCases where op == .equal || op == .notEqual {
            let matcher = try Matcher(name: "label", op: op, value: value)
            let parsed = try Matcher(parsing: matcher.description)
            #expect(parsed.name == "label")
            #expect(parsed.op == op)
            #expect(parsed.value == value, "\(matcher.description)")
        }
    }

    @Test("description reads like Alertmanager")
    func descriptionText() throws {
        #expect(try Matcher(parsing: #"host=~"db.*""#).description == #"host =~ "db.*""#)
        #expect(try Matcher(parsing: "env!=dev").description == #"env != "dev""#)
    }

    // MARK: Evaluation

    static let alert = Alert(
        check: "disk_full", summary: "Disk / is 97% full", description: "1.2 GiB left of 40 GiB",
        host: "db-1", source: "node-agent", status: .firing, severity: .sev2,
        labels: ["env": "prod", "team": "storage", "mount": "/"], listener: "ingest-udp", format: "json")

    @Test(
        "evaluates against fields and labels",
        arguments: [
            (#"check = "disk_full""#, true),
            (#"check = "disk""#, false),
            (#"check = "DISK_FULL""#, false),  // equality is exact
            (#"alertname = "disk_full""#, true),  // Prometheus name for check
            (#"check != "disk_full""#, false),
            (#"check != "node_down""#, true),
            (#"host =~ "db.*""#, true),
            (#"host =~ "db""#, false),  // anchored at the end
            (#"host =~ "b-1""#, false),  // anchored at the start
            (#"host =~ ".*b-1""#, true),
            (#"host =~ "db|xx""#, false),  // alternation is anchored as a whole
            (#"host =~ "db-2|db-1""#, true),
            (#"host !~ "db.*""#, false),
            (#"host !~ "web.*""#, true),
            (#"host !~ "db""#, true),
            (#"summary =~ "(?i).*disk.*(full|9[5-9]%).*""#, true),
            (#"summary =~ ".*disk.*""#, false),  // regexes are case-sensitive without (?i)
            (#"summary =~ "(?i).*DISK.*""#, true),
            (#"summary = "Disk / is 97% full""#, true),
            (#"description =~ ".*GiB.*""#, true),
            (#"source = "node-agent""#, true),
            (#"severity = "SEV2""#, true),
            (#"severity =~ "SEV[12]""#, true),
            (#"severity = "SEV1""#, false),
            (#"status = "firing""#, true),
            (#"status = "resolved""#, false),
            (#"listener = "ingest-udp""#, true),
            (#"format = "json""#, true),
            (#"env = "prod""#, true),
            (#"env != "dev""#, true),
            (#"env = """#, false),
            (#"mount = "/""#, true),
            (#"team =~ "stor.*""#, true),
            (#"team =~ "stor""#, false),
        ])
    func evaluates(text: String, expected: Bool) throws {
        let matcher = try Matcher(parsing: text)
        #expect(matcher.matches(Self.alert) == expected)
    }

    @Test(
        "a missing label or field is the empty string",
        arguments: [
            (#"env != "dev""#, true),
            (#"env = """#, true),
            (#"env = "dev""#, false),
            (#"env != """#, false),
            (#"env =~ ".*""#, true),
            (#"env =~ ".+""#, false),
            (#"env !~ "dev|staging""#, true),
            (#"host = """#, true),
            (#"severity = """#, true),
            (#"summary !~ ".+""#, true),
        ])
    func missingIsEmpty(text: String, expected: Bool) throws {
        let bare = Alert(check: "heartbeat")
        #expect(try Matcher(parsing: text).matches(bare) == expected)
    }

    @Test("escaped regex metacharacters match literally")
    func escapedDot() throws {
        let matcher = try Matcher(parsing: #"host =~ "db\\.example\\.com""#)
        #expect(matcher.matches(value: "db.example.com"))
        #expect(!matcher.matches(value: "dbxexample.com"))
    }

    @Test("(?i) makes the whole pattern case-insensitive", arguments: ["disk full", "DISK FULL", "Disk Full"])
    func caseInsensitiveFlag(value: String) throws {
        let matcher = try Matcher(parsing: #"summary =~ "(?i)disk full""#)
        #expect(matcher.matches(value: value))
        #expect(!matcher.matches(value: value + "!"))
    }

    @Test("anchoring also holds against a trailing newline")
    func anchoredBeforeTrailingNewline() throws {
        let match = try Matcher(parsing: #"check =~ "disk""#)
        let noMatch = try Matcher(parsing: #"check !~ "disk""#)
        #expect(!match.matches(value: "disk\n"))
        #expect(noMatch.matches(value: "disk\n"))
        #expect(!match.matches(value: "disk\r\n"))
        #expect(!match.matches(value: "disk\nfull"))
    }
}
