import Foundation
import Testing

@testable import AlertCore

@Suite("Frame decoder")
struct FrameDecoderTests {
    static let goodFixtures = [
        "native/good/node-agent.json", "native/good/alertname-alias.json", "native/good/numeric-timestamp.json",
        "native/good/resolved.json", "native/good/summary-only.json", "native/good/dedup-key.json",
        "native/good/extra-fields-and-nulls.json",
    ]
    static let badJSONFixtures = [
        "native/bad/not-json.txt", "native/bad/truncated.json", "native/bad/missing-check-and-summary.json",
        "native/bad/label-not-string.json", "native/bad/labels-not-object.json", "native/bad/bad-severity.json",
        "native/bad/bad-status.json", "native/bad/bad-timestamp.json", "native/bad/check-not-string.json",
    ]

    @Test("every good fixture decodes to one alert, as the native decoder reads it", arguments: goodFixtures)
    func goodFixture(path: String) throws {
        let bytes = try Fixture.bytes(path)
        let results = FrameDecoder().decode(bytes, listener: "ingest-udp")
        try #require(results.count == 1)
        let alert = try results[0].get()
        #expect(alert == (try NativeAlertDecoder.decode(Fixture.line(path), listener: "ingest-udp").get()))
        #expect(alert.listener == "ingest-udp")
    }

    @Test("every bad fixture is one malformed result", arguments: badJSONFixtures + ["native/bad/array.json"])
    func badFixture(path: String) throws {
        let results = FrameDecoder().decode(try Fixture.bytes(path), listener: "ingest-udp")
        try #require(results.count == 1)
        let error = try #require(results[0].failure)
        #expect(error.reason == .malformed)
        #expect(!error.message.isEmpty)
    }

    @Test("a datagram of several objects decodes each; a bad one in the middle costs only itself")
    func severalObjectsOneBad() throws {
        let results = FrameDecoder().decode(
            try Fixture.bytes("frames/datagram-with-bad-middle.ndjson"), listener: "ingest-udp")
        try #require(results.count == 3)
        #expect(results[0].success?.check == "disk_full")
        #expect(results[0].success?.severity == .sev1)
        #expect(results[1].failure?.reason == .malformed)
        #expect(results[1].failure?.message.contains("banana") == true)
        #expect(results[2].success?.check == "swap_full")
        #expect(results[2].success?.severity == .sev3)
    }

    @Test("every good fixture joined with every bad one in one datagram keeps its place", arguments: badJSONFixtures)
    func mixedDatagram(badPath: String) throws {
        var datagram: [UInt8] = []
        var expectGood: [Bool] = []
        for path in Self.goodFixtures {
            datagram += try Fixture.line(path) + Array("\n".utf8)
            datagram += try Fixture.line(badPath) + Array("\n".utf8)
            expectGood += [true, false]
        }
        let results = FrameDecoder().decode(datagram, listener: "ingest-udp")
        #expect(results.map { $0.success != nil } == expectGood)
    }

    @Test("empty lines, whitespace-only lines and CRLF endings are fine")
    func emptyLinesAndCRLF() throws {
        let frame = "\r\n\n  \t \r\n{\"check\":\"a\",\"host\":\"h1\"}\r\n\r\n\n   {\"check\":\"b\"}\r\n\t\r\n"
        let results = FrameDecoder().decode(Array(frame.utf8), listener: "ingest-tcp")
        try #require(results.count == 2)
        #expect(try results[0].get().check == "a")
        #expect(try results[0].get().host == "h1")
        #expect(try results[1].get().check == "b")
    }

    @Test("a frame of only blank lines yields nothing", arguments: ["", "\n", "\r\n\r\n", "   \n\t\n"])
    func blankFrame(frame: String) {
        #expect(FrameDecoder().decode(Array(frame.utf8), listener: "x").isEmpty)
    }

    @Test("a frame without a trailing newline decodes")
    func noTrailingNewline() throws {
        let results = FrameDecoder().decode(Array(#"{"check":"a"}"#.utf8), listener: "x")
        #expect(results.count == 1)
        #expect(try results.first?.get().check == "a")
    }

    @Test("a frame larger than max_frame is refused as too large, as a whole")
    func tooLarge() throws {
        let line = #"{"check":"disk_full","host":"node-7"}"# + "\n"
        let frame = Array(String(repeating: line, count: 10).utf8)
        let decoder = FrameDecoder(maxFrame: frame.count - 1)
        let results = decoder.decode(frame, listener: "ingest-udp")
        try #require(results.count == 1)
        let error = try #require(results[0].failure)
        #expect(error.reason == .tooLarge)
        #expect(error.reason.rawValue == "too_large")
        #expect(error.message.contains("\(frame.count)"))
        #expect(error.message.contains("\(frame.count - 1)"))

        let exactly = FrameDecoder(maxFrame: frame.count).decode(frame, listener: "ingest-udp")
        #expect(exactly.count == 10)
        #expect(exactly.allSatisfy { $0.success != nil })
    }

    @Test("max_frame defaults to 64 KiB")
    func defaultMaxFrame() {
        #expect(FrameDecoder().maxFrame == 64 * 1024)
        let big = [UInt8](repeating: UInt8(ascii: " "), count: 64 * 1024 + 1)
        #expect(FrameDecoder().decode(big, listener: "x").first?.failure?.reason == .tooLarge)
    }

    @Test(
        "a line that does not start with { is malformed with a clear message",
        arguments: ["hello world", "disk_full on node-7", "[{\"check\":\"x\"}]", "\"check\"", "42", "check=disk_full"])
    func notJSON(line: String) throws {
        let results = FrameDecoder().decode(Array(line.utf8), listener: "x")
        try #require(results.count == 1)
        let error = try #require(results[0].failure)
        #expect(error.reason == .malformed)
        #expect(error.message.contains("JSON object"), "\(error.message)")
        #expect(error.message.contains("{"), "\(error.message)")
    }

    @Test("leading spaces before { are allowed")
    func leadingSpaces() throws {
        let results = FrameDecoder().decode(Array("  \t{\"check\":\"a\"}".utf8), listener: "x")
        #expect(try results.first?.get().check == "a")
    }

    @Test("the listener name is recorded on every alert")
    func listener() {
        let results = FrameDecoder().decode(Array("{\"check\":\"a\"}\n{\"check\":\"b\"}".utf8), listener: "ingest-unix")
        #expect(results.compactMap(\.success).map(\.listener) == ["ingest-unix", "ingest-unix"])
    }

    @Test("works on a slice of a larger buffer")
    func slice() throws {
        let buffer = Array("XXXX{\"check\":\"a\"}YYYY".utf8)
        let results = FrameDecoder().decode(buffer[4..<(buffer.count - 4)], listener: "x")
        #expect(try results.first?.get().check == "a")
    }
}
