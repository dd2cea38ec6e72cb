import Foundation
import Testing

/// A small run of the benchmark harness (`make bench` runs it at full size,
/// release build), so it cannot rot: bench/bench.py drives the debug alertd
/// with bench/loadgen.py and must produce its figures.
@Suite(.serialized) struct BenchSmokeTests {
    @Test func theBenchmarkHarnessRunsAndReportsItsFigures() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-bench-smoke-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try await Spawn.runOffPool(
            "/usr/bin/env",
            [
                "python3", root.appendingPathComponent("bench/bench.py").path, "--quick", "--repeat", "1",
                "--bin", root.appendingPathComponent(".build/debug").path, "--out", out.path,
                "--cases", "udp-repeated,tcp-distinct,http-100-repeated,page-latency,attach-latency,microbench",
            ], timeout: 600)
        #expect(run.status == 0, "\(run.err)")
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: out.path).first { $0.hasSuffix(".json") })
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent(file))) as? [String: Any])
        let median = try #require(report["median"] as? [String: [String: Any]])

        // TCP is lossless: every distinct alert sent was counted and opened an incident.
        let tcp = try #require(median["tcp-distinct"])
        #expect(tcp["lost"] as? Double == 0, "\(tcp)")
        #expect((tcp["alerts_per_s"] as? Double ?? 0) > 0)
        #expect((tcp["cpu_us_per_alert"] as? Double ?? 0) > 0)
        // UDP on loopback at the smoke's size: counted, loss measured.
        #expect((median["udp-repeated"]?["counted"] as? Double ?? 0) > 0)
        // HTTP: every request answered 200 (after commit).
        let http = try #require(median["http-100-repeated"])
        #expect((http["answered_200"] as? Double ?? 0) == (http["sent"] as? Double ?? -1), "\(http)")
        // Latencies measured for every alert.
        let page = try #require(median["page-latency"])
        #expect(page["received"] as? Double == page["count"] as? Double, "\(page)")
        #expect(((page["page_ms"] as? [String: Any])?["p50"] as? Double ?? 0) > 0)
        #expect(((median["attach-latency"]?["ms"] as? [String: Any])?["p50"] as? Double ?? 0) > 0)
        // The loops over the listener's and the pipeline's per-alert work.
        let micro = try #require(median["microbench"])
        #expect((micro["decode_ns_per_alert"] as? Double ?? 0) > 0, "\(micro)")
        #expect((micro["repeat_ns_per_alert"] as? Double ?? 0) > 0, "\(micro)")
        #expect((micro["commit_ns_per_alert"] as? Double ?? 0) > 0, "\(micro)")
        #expect((micro["open_ns_per_alert"] as? Double ?? 0) > 0, "\(micro)")
        #expect((micro["open_commit_ns_per_alert"] as? Double ?? 0) > 0, "\(micro)")
        #expect(run.out.contains("alerts/s"))  // the table
    }
}
