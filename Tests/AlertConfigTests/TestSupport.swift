import Foundation
import Testing

@testable import AlertConfig

/// The problems `ConfigLoader.parse` reports for `yaml`, or none.
func problems(in yaml: String, file: String = "alertd.yaml") -> [ConfigProblem] {
    do throws(ConfigProblems) {
        _ = try ConfigLoader.parse(yaml: yaml, file: file)
        return []
    } catch {
        return error.problems
    }
}

/// Parses `yaml`, recording the problems as a test failure.
func parsed(_ yaml: String, environment: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation)
    -> AlertdConfig?
{
    do throws(ConfigProblems) {
        return try ConfigLoader.parse(yaml: yaml, file: "alertd.yaml", environment: environment)
    } catch {
        Issue.record("unexpected problems:\n\(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("alertd-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `text` to `name` (which may contain subdirectories); returns the full path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// The repository's `etc/alertd`, found from this file's path.
func shippedConfigDirectory(filePath: String = #filePath) -> String {
    var url = URL(fileURLWithPath: filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }  // TestSupport.swift, AlertConfigTests, Tests
    return url.appendingPathComponent("etc/alertd").path
}
