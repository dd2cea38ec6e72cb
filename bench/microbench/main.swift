// alertd-microbench: the per-alert work of the two hot threads, each in a
// tight loop on one thread, without sockets, other threads or SQLite.
// `make bench` runs it beside the end-to-end cases (bench/bench.py): on a
// shared machine whose speed swings by a third within the hour, a loop on
// one thread is the steadiest measure of a change to either path.
//
//   decode  a listener's work: one native JSON line (the load generator's
//           alert, ~300 bytes) framed, decoded into an `Alert`, fingerprinted
//           and appended to a batch, as `FrameIntake` does.
//   alertmanager_decode  an HTTP listener's work for a 100-alert
//           `POST /api/v2/alerts` body: decoded and fingerprinted, per alert.
//   repeat  the pipeline's work for a repeat, short of the commit:
//           classify, ingest into the engine (1,000 fingerprints, each
//           repeated within a batch of 8,000), then `takeChanges`.
//   commit  the same, and each batch committed to a real SQLite file
//           (`SQLiteIncidentStore.apply`, WAL, synchronous=FULL).
//   open    the pipeline's work for an alert never seen before, which opens
//           an incident and queues its page (the embedded default policy),
//           in batches of 1,000, short of the commit; `open_commit` with
//           each batch committed (a new incident's seven rows).
//
// Prints one JSON object: nanoseconds of this thread's CPU per alert (the
// time it waited, on the disk or for a core, left out), the median of five
// rounds.
import AlertCore
import AlertStore
import Foundation

let arguments = CommandLine.arguments.dropFirst()
let alertsPerRound = Int(arguments.first ?? "") ?? 400_000
/// Alerts per batch of the repeat and commit paths (the pipeline's batch
/// under load is what arrived during the last commit).
let batchSize = Int(arguments.dropFirst().first ?? "") ?? 8_000

func line(_ f: Int) -> [UInt8] {
    let summary = "bench alert \(f): disk usage above threshold on volume /var/lib/data (load generator)"
    let text = #"{"check":"bench_check_\#(f)","host":"bench-host-\#(f % 100)","source":"alertd-loadgen","severity":"warning","summary":"\#(summary)","status":"firing","labels":{"team":"bench","env":"lab","service":"svc-\#(f % 50)","run":"microbench"}}"#
    return Array(text.utf8)
}

/// This thread's CPU time, in seconds.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Nanoseconds of CPU per alert of `round`, which handles `alerts` alerts: the median of five.
func measure(alerts: Int = alertsPerRound, _ round: () throws -> Void) rethrows -> Double {
    try round()  // warm-up
    var samples: [Double] = []
    for _ in 0..<5 {
        let start = threadCPUSeconds()
        try round()
        samples.append((threadCPUSeconds() - start) / Double(alerts) * 1e9)
    }
    return samples.sorted()[samples.count / 2]
}

let lines = (0..<1000).map(line)
let decoder = FrameDecoder()
var checksum = 0

let decode = measure {
    var batch: [Alert] = []
    batch.reserveCapacity(1000)
    for index in 0..<alertsPerRound {
        decoder.decode(lines[index % lines.count], listener: "ingest-tcp", found: { alert in batch.append(consume alert) }, refused: { _ in })
        if batch.count == 1000 {
            for alert in batch { checksum &+= Fingerprint.of(alert).utf8.count }
            batch.removeAll(keepingCapacity: true)
        }
    }
}

/// `POST /api/v2/alerts` bodies of 100 alerts each, as the load generator
/// sends them (`bench/loadgen.py`, `alertmanager`).
let alertmanagerBodies: [[UInt8]] = (0..<10).map { body in
    let items = (0..<100).map { index in
        let f = body * 100 + index
        let summary = "bench alert \(f): disk usage above threshold on volume /var/lib/data (load generator)"
        return #"{"labels":{"alertname":"bench_check_\#(f)","instance":"bench-host-\#(f % 100)","severity":"warning","team":"bench","run":"microbench"},"annotations":{"summary":"\#(summary)"},"startsAt":"2026-12-04T07:00:00Z","generatorURL":"http://loadgen.local/graph"}"#
    }
    return Array(("[" + items.joined(separator: ",") + "]").utf8)
}

let alertmanagerDecode = measure {
    let now = Date()
    for index in 0..<(alertsPerRound / 100) {
        guard case .success(let results) = AlertmanagerDecoder.decode(alertmanagerBodies[index % 10], listener: "http", now: now)
        else { fatalError("a bench body was refused") }
        for case .success(let alert) in results { checksum &+= Fingerprint.of(alert).utf8.count }
    }
}

// The alerts as the pipeline receives them, with their fingerprints.
var received: [Alert] = []
for bytes in lines { decoder.decode(bytes, listener: "ingest-tcp", found: { received.append($0) }, refused: { _ in }) }
let fingerprints = received.map(Fingerprint.of)
let classifier = Classifier(rules: [])
let start = Date()
var tick = 0.0

/// Rounds of repeats in batches of 8,000 through one engine; each batch's
/// changes handed to `commit`.
@MainActor func repeats(_ commit: (ChangeSet) throws -> Void) throws -> Double {
    var engine = IncidentEngine()
    return try measure {
        var index = 0
        while index < alertsPerRound {
            tick += 1
            let now = start.addingTimeInterval(tick)
            for _ in 0..<min(batchSize, alertsPerRound - index) {
                var alert = received[index % received.count]
                let classification = classifier.classify(&alert)
                let fate = engine.ingest(
                    alert, fingerprint: fingerprints[index % received.count], classification: classification, now: now)
                checksum &+= fate.decision == .deduplicated ? 1 : 0
                index += 1
            }
            let changes = engine.takeChanges(now: now)
            checksum &+= changes.alerts.count
            try commit(changes)
        }
    }
}

/// Alerts per round of the open path: a new incident costs some 50x a
/// repeat, and every round needs alerts never seen before.
let openPerRound = max(1, alertsPerRound / 20)
/// Six rounds (the warm-up and five) of alerts none of which repeats, decoded
/// and fingerprinted before any clock starts.
func distinctRounds(from first: Int) -> [(Alert, String)] {
    (first..<first + 6 * openPerRound).map { f in
        var alert: Alert?
        decoder.decode(line(f), listener: "ingest-tcp", found: { alert = $0 }, refused: { _ in })
        return (alert!, Fingerprint.of(alert!))
    }
}

/// Rounds of new alerts in batches of 1,000 through one engine that pages
/// as the embedded default does; each batch's changes handed to `commit`.
@MainActor func opens(_ distinct: [(Alert, String)], _ commit: (ChangeSet) throws -> Void) throws -> Double {
    var engine = IncidentEngine(paging: PagingPolicy(channelCounts: ["oncall": 1, "eng-manager": 1, "ticket": 1]))
    var next = 0
    return try measure(alerts: openPerRound) {
        var left = openPerRound
        while left > 0 {
            tick += 1
            let now = start.addingTimeInterval(tick)
            for _ in 0..<min(1000, left) {
                var (alert, fingerprint) = distinct[next]
                let classification = classifier.classify(&alert)
                let fate = engine.ingest(alert, fingerprint: fingerprint, classification: classification, now: now)
                checksum &+= fate.decision == .opened ? 1 : 0
                next += 1
                left -= 1
            }
            let changes = engine.takeChanges(now: now)
            checksum &+= changes.timeline.count
            try commit(changes)
        }
    }
}

let repeatCost = try repeats { _ in }
let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertd-microbench-\(getpid())")
defer { try? FileManager.default.removeItem(at: directory) }
let store = try SQLiteIncidentStore(path: directory.appendingPathComponent("alertd.sqlite").path)
let commitCost = try repeats { try store.apply($0) }
let openCost = try opens(distinctRounds(from: 1_000_000)) { _ in }
let openCommitCost = try opens(distinctRounds(from: 2_000_000)) { try store.apply($0) }

print(
    #"{"decode_ns_per_alert": \#(Int(decode)), "alertmanager_decode_ns_per_alert": \#(Int(alertmanagerDecode)), "repeat_ns_per_alert": \#(Int(repeatCost)), "#
        + #""commit_ns_per_alert": \#(Int(commitCost)), "open_ns_per_alert": \#(Int(openCost)), "#
        + #""open_commit_ns_per_alert": \#(Int(openCommitCost)), "alerts_per_round": \#(alertsPerRound), "batch": \#(batchSize), "checksum": \#(checksum)}"#)
