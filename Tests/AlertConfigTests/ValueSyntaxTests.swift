import Foundation
import Testing

@testable import AlertConfig

@Suite struct ValueSyntaxTests {
    @Test(arguments: [
        ("90s", 90.0), ("5m", 300), ("1h30m", 5400), ("48h", 172_800), ("500ms", 0.5), ("1d", 86400),
        ("1.5h", 5400), ("0s", 0), (" 2m ", 120), ("1d2h3m4s", 93784),
    ])
    func goodDurations(text: String, seconds: Double) throws {
        #expect(try ValueSyntax.duration(text) == seconds)
    }

    @Test(arguments: [
        ("90", "has no unit"), ("0", "has no unit"), ("5 m", "not a duration"), ("5min", "not a duration"),
        ("-5m", "negative"), ("", "expected a duration"), ("m", "not a duration"), ("1.2.3s", "not a duration"),
        ("1w", "not a duration"),
    ])
    func badDurations(text: String, why: String) {
        #expect {
            _ = try ValueSyntax.duration(text)
        } throws: { error in
            (error as? ValueSyntaxError)?.message.contains(why) == true
        }
    }

    @Test(arguments: [
        ("512", 512), ("512B", 512), ("64KiB", 65536), ("8MiB", 8_388_608), ("1GiB", 1_073_741_824),
        ("1KB", 1000), ("1MB", 1_000_000), ("2GB", 2_000_000_000), ("64 KiB", 65536),
    ])
    func goodSizes(text: String, bytes: Int) throws {
        #expect(try ValueSyntax.byteSize(text) == bytes)
    }

    @Test(arguments: [
        ("64kib", "did you mean 64KiB?"), ("8mb", "did you mean 8MB?"), ("0", "at least 1 byte"),
        ("-1", "not a size"), ("1.5MiB", "not a size"), ("KiB", "not a size"), ("64TiB", "not a size"),
        ("99999999999999GiB", "too large"), ("lots", "not a size"),
    ])
    func badSizes(text: String, why: String) {
        #expect {
            _ = try ValueSyntax.byteSize(text)
        } throws: { error in
            (error as? ValueSyntaxError)?.message.contains(why) == true
        }
    }

    @Test(arguments: [
        ("127.0.0.1:5140", "127.0.0.1", 5140), ("0.0.0.0:0", "0.0.0.0", 0), ("[::1]:9095", "::1", 9095),
        ("[::]:65535", "::", 65535), ("localhost:514", "localhost", 514), ("[fe80::1:2]:1", "fe80::1:2", 1),
    ])
    func goodAddresses(text: String, host: String, port: Int) throws {
        let address = try ValueSyntax.hostPort(text)
        #expect(address.host == host && address.port == port)
    }

    @Test(arguments: [
        ("127.0.0.1", "has no port"), ("127.0.0.1:65536", "not a port"), ("127.0.0.1:", "not a port"),
        ("127.0.0.1:http", "not a port"), ("::1:5140", "put IPv6 addresses in brackets"),
        ("[::1]5140", "not an address"), ("[zz::1]:5140", "not an IPv6 address"),
        ("example.com:5140", "not an IPv4 address or localhost"), ("256.0.0.1:1", "not an IPv4 address"),
        ("127.0.0.1:-1", "not a port"),
    ])
    func badAddresses(text: String, why: String) {
        #expect {
            _ = try ValueSyntax.hostPort(text)
        } throws: { error in
            (error as? ValueSyntaxError)?.message.contains(why) == true
        }
    }

    @Test(arguments: [("0660", UInt32(0o660)), ("660", 0o660), ("0o600", 0o600), ("1777", 0o1777)])
    func goodModes(text: String, mode: UInt32) throws {
        #expect(try ValueSyntax.fileMode(text) == mode)
    }

    @Test(arguments: ["0680", "66", "rw-rw----", "07777777", ""])
    func badModes(text: String) {
        #expect(throws: ValueSyntaxError.self) { _ = try ValueSyntax.fileMode(text) }
    }

    @Test func names() {
        #expect(ValueSyntax.isListenerName("ingest-udp.v2_a"))
        #expect(!ValueSyntax.isListenerName("ingest udp"))
        #expect(!ValueSyntax.isListenerName(""))
        #expect(ValueSyntax.isLabelName("team_2"))
        #expect(ValueSyntax.isLabelName("_x"))
        #expect(!ValueSyntax.isLabelName("2team"))
        #expect(!ValueSyntax.isLabelName("team-a"))
    }

    @Test(arguments: [
        ("max_frmae", "max_frame"), ("severty", "severity"), ("Name", "name"), ("set_label", "set_labels"),
        ("grop_by", "group_by"),
    ])
    func suggestions(typo: String, expected: String) {
        let allowed = ["name", "match", "severity", "action", "set_labels", "group_by", "max_frame", "max_body"]
        #expect(KeySuggester.closest(to: typo, among: allowed) == expected)
    }

    @Test func noSuggestionForUnrelatedKey() {
        #expect(KeySuggester.closest(to: "colour", among: ["name", "match", "severity"]) == nil)
    }
}
