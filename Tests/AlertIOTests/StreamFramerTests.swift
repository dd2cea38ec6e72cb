import AlertIO
import NIOCore
import Testing

@Suite("StreamFramer")
struct StreamFramerTests {
    enum Emitted: Equatable, Sendable, CustomStringConvertible {
        case line(String)
        case oversized

        var description: String {
            switch self {
            case .line(let text): return "line(\(text.debugDescription))"
            case .oversized: return "oversized"
            }
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var maxFrame = 64
        var chunks: [String]
        var expected: [Emitted]
        var testDescription: String { name }
    }

    /// Feeds every chunk, then ends the stream; returns all that came out.
    static func frames(of chunks: [String], maxFrame: Int, finish: Bool = true) -> [Emitted] {
        var framer = StreamFramer(maxFrame: maxFrame)
        var out: [Emitted] = []
        let collect: (StreamFramer.Frame) -> Void = { frame in
            switch frame {
            case .line(let bytes): out.append(.line(String(decoding: bytes, as: UTF8.self)))
            case .oversized: out.append(.oversized)
            }
        }
        for chunk in chunks { framer.feed(ByteBuffer(string: chunk), collect) }
        if finish { framer.finish(collect) }
        return out
    }

    @Test(
        "splits a stream into lines",
        arguments: [
            Case(name: "one line in one chunk", chunks: ["{\"check\":\"a\"}\n"], expected: [.line("{\"check\":\"a\"}")]),
            Case(
                name: "a line split across chunks", chunks: ["{\"che", "ck\":", "\"a\"}\n"],
                expected: [.line("{\"check\":\"a\"}")]),
            Case(name: "several lines in one chunk", chunks: ["one\ntwo\nthree\n"], expected: [.line("one"), .line("two"), .line("three")]),
            Case(
                name: "lines and a split spread over chunks", chunks: ["one\ntw", "o\nthr", "ee\n"],
                expected: [.line("one"), .line("two"), .line("three")]),
            Case(name: "newline alone in the next chunk", chunks: ["one", "\n"], expected: [.line("one")]),
            Case(name: "trailing line without newline, emitted by finish", chunks: ["one\ntwo"], expected: [.line("one"), .line("two")]),
            Case(name: "a line of exactly max_frame bytes", maxFrame: 8, chunks: ["12345678\n"], expected: [.line("12345678")]),
            Case(
                name: "exactly max_frame bytes over two chunks", maxFrame: 8, chunks: ["1234", "5678", "\n"],
                expected: [.line("12345678")]),
            Case(
                name: "oversized line in one chunk, then the next line", maxFrame: 8, chunks: ["123456789abcdef\nok\n"],
                expected: [.oversized, .line("ok")]),
            Case(
                name: "oversized line split over many chunks, then the next line", maxFrame: 8,
                chunks: ["1234", "5678", "9abc", "defg", "hijk", "lm\nok\n"], expected: [.oversized, .line("ok")]),
            Case(
                name: "oversized only once its newline arrives", maxFrame: 8, chunks: ["1234567", "89abc\nok\n"],
                expected: [.oversized, .line("ok")]),
            Case(
                name: "next line in the chunk that ends the oversized one", maxFrame: 8,
                chunks: ["123456789abc", "def\nok", "\n"], expected: [.oversized, .line("ok")]),
            Case(
                name: "two oversized lines in a row, each reported once", maxFrame: 4,
                chunks: ["123456", "789\nabcdefgh\nok\n"], expected: [.oversized, .oversized, .line("ok")]),
            Case(
                name: "oversized trailing line is not emitted by finish", maxFrame: 8, chunks: ["ok\n123456789abc"],
                expected: [.line("ok"), .oversized]),
        ])
    func splits(_ test: Case) {
        #expect(Self.frames(of: test.chunks, maxFrame: test.maxFrame) == test.expected)
    }

    @Test("the last line without a newline waits for finish")
    func trailingLineNeedsFinish() {
        #expect(Self.frames(of: ["one\ntwo"], maxFrame: 64, finish: false) == [.line("one")])
        #expect(Self.frames(of: ["one\ntwo"], maxFrame: 64, finish: true) == [.line("one"), .line("two")])
    }

    @Test("an oversized frame reports at least max_frame + 1 bytes seen")
    func oversizedReportsSize() {
        var framer = StreamFramer(maxFrame: 1024)
        var sizes: [Int] = []
        for _ in 0..<10 {
            framer.feed(ByteBuffer(repeating: UInt8(ascii: "x"), count: 500)) { frame in
                if case .oversized(let size) = frame { sizes.append(size) }
            }
        }
        framer.feed(ByteBuffer(string: "\n")) { _ in Issue.record("nothing is left to emit") }
        #expect(sizes.count == 1)
        #expect(sizes.allSatisfy { $0 > 1024 })
    }

    @Test(
        "CRLF line endings give the line without its CR",
        arguments: [
            ["one\r\ntwo\r\n"],
            ["one\r", "\ntwo\r\n"],
            ["one\r\ntwo"],
        ])
    func crlf(_ chunks: [String]) {
        #expect(Self.frames(of: chunks, maxFrame: 64) == [.line("one"), .line("two")])
    }
}

/// RFC 6587 octet counting (`LEN SP MSG`), as rsyslog and `logger --octet-count` send.
extension StreamFramerTests {
    @Test(
        "octet-counted frames, whole or split, may hold newlines, and mix with lines",
        arguments: [
            Case(name: "two frames", chunks: ["5 hello3 abc"], expected: [.line("hello"), .line("abc")]),
            Case(name: "split in the length", chunks: ["1", "1 hello world"], expected: [.line("hello world")]),
            Case(name: "split in the body", chunks: ["11 hello", " world"], expected: [.line("hello world")]),
            Case(name: "newline inside", chunks: ["6 a\nb\nc\n4 next"], expected: [.line("a\nb\nc\n"), .line("next")]),
            Case(name: "then a plain line", chunks: ["3 abc<13>plain\n"], expected: [.line("abc"), .line("<13>plain")]),
            Case(
                name: "oversized by its length is skipped, the next gets in", maxFrame: 8,
                chunks: ["20 aaaaaaaaaa", "aaaaaaaaaa5 after"], expected: [.oversized, .line("after")]),
            Case(name: "digits without a space are a line", chunks: ["12345\n"], expected: [.line("12345")]),
        ])
    func octetCounting(_ example: Case) {
        #expect(Self.frames(of: example.chunks, maxFrame: example.maxFrame) == example.expected)
    }
}
