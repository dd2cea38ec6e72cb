import AlertCore
import ArgumentParser
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Client-side parsing of the values commands take, so a typo is a usage
/// error (exit 64) before anything reaches the daemon.
enum ArgumentParsing {
    /// `42` or `#42` (how incidents are printed) → 42.
    @Sendable static func incidentID(_ text: String) throws -> Int64 {
        let digits = text.hasPrefix("#") ? text.dropFirst() : Substring(text)
        guard digits.allSatisfy(\.isASCII), let id = Int64(digits), id > 0 else {
            throw ValidationError("incident ID must be a positive integer such as 42 or #42, not \"\(text)\"")
        }
        return id
    }

    /// Any spelling `Severity(parsing:)` knows → `SEV1`…`SEV4`.
    @Sendable static func severity(_ text: String) throws -> Severity {
        guard let severity = Severity(parsing: text) else {
            throw ValidationError("unknown severity \"\(text)\"; use SEV1, SEV2, SEV3 or SEV4")
        }
        return severity
    }

    @Sendable static func positiveCount(_ text: String) throws -> Int {
        guard let count = Int(text), count > 0 else {
            throw ValidationError("expected a positive integer, not \"\(text)\"")
        }
        return count
    }
}

/// `incidents --state`.
enum StateFilter: String, CaseIterable, ExpressibleByArgument {
    case open, acknowledged, mitigated, resolved, all
}

/// Who is acting, for `--by`: the person behind sudo, else the login user.
enum Operator {
    static func current(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        for key in ["SUDO_USER", "USER"] {
            if let name = environment[key], !name.isEmpty { return name }
        }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return "uid \(getuid())"
    }
}

/// `--by NAME`, defaulting to the invoking user.
struct ActorOption: ParsableArguments {
    @Option(
        name: .customLong("by"),
        help: ArgumentHelp("Who is acting (default: $SUDO_USER, else $USER, else the login name).", valueName: "name"))
    var name: String?

    var resolved: String { name.flatMap { $0.isEmpty ? nil : $0 } ?? Operator.current() }
}
