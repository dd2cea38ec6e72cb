import Foundation
import Testing

@testable import AlertCore

/// Real payloads kept under `Fixtures/` (copied into the test bundle).
enum Fixture {
    /// The raw bytes of `Fixtures/<path>`, e.g. `native/good/node-agent.json`.
    static func bytes(_ path: String) throws -> [UInt8] {
        let root = try #require(
            Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures missing from the test bundle")
        return try [UInt8](Data(contentsOf: root.appending(path: path)))
    }

    /// The fixture without its trailing newline, as a sender would put it in one datagram.
    static func line(_ path: String) throws -> [UInt8] {
        var bytes = try bytes(path)
        while let last = bytes.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { bytes.removeLast() }
        return bytes
    }
}

extension Result {
    var success: Success? {
        if case .success(let value) = self { return value }
        return nil
    }

    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// 2026-01-01T00:00:00Z: every engine test starts its manual clock here.
let testEpoch = Date(timeIntervalSince1970: 1_767_225_600)

func parseMatchers(_ texts: String...) throws -> [Matcher] {
    try texts.map { text throws(MatcherError) in try Matcher(parsing: text) }
}
