import AlertCore
import AlertIO
import Foundation
import Logging
import NIOPosix
import Synchronization
import Testing

/// An `AlertSink` that keeps everything it is handed.
final class RecordingSink: AlertSink {
    private let received = Mutex<[Alert]>([])

    var alerts: [Alert] { received.withLock { $0 } }
    var checks: [String] { alerts.map(\.check) }

    func offer(_ alerts: [Alert]) -> Bool {
        received.withLock { $0.append(contentsOf: alerts) }
        return true
    }

    func submit(_ alerts: [Alert]) async {
        received.withLock { $0.append(contentsOf: alerts) }
    }
}

/// An `AlertSink` whose queue is always full: `offer` refuses everything.
final class RefusingSink: AlertSink {
    private let offered = Mutex(0)

    var offers: Int { offered.withLock { $0 } }

    func offer(_ alerts: [Alert]) -> Bool {
        offered.withLock { $0 += 1 }
        return false
    }

    func submit(_ alerts: [Alert]) async {
        Issue.record("a datagram listener must offer, never submit")
    }
}

/// `ListenerMetrics` that counts, by format and by refusal reason.
final class CountingMetrics: ListenerMetrics {
    private let counts = Mutex<(received: [String: Int], rejected: [DecodeError.Reason: Int])>(([:], [:]))

    func received(format: String, count: Int) {
        counts.withLock { $0.received[format, default: 0] += count }
    }

    func rejected(_ reason: DecodeError.Reason, count: Int) {
        counts.withLock { $0.rejected[reason, default: 0] += count }
    }

    func received(_ format: String) -> Int { counts.withLock { $0.received[format] ?? 0 } }
    func rejections(_ reason: DecodeError.Reason) -> Int { counts.withLock { $0.rejected[reason] ?? 0 } }
    var allRejections: [DecodeError.Reason: Int] { counts.withLock { $0.rejected } }
}

/// Polls `condition` every 10 ms until it holds; records a failure naming
/// `what` and stops the test if `deadline` passes first.
func waitUntil(
    _ what: String, deadline: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: deadline)
    while true {
        if try condition() { return }
        if clock.now >= end { break }
        try await Task.sleep(for: .milliseconds(10))
    }
    try #require(try condition(), "timed out after \(deadline) waiting until \(what)", sourceLocation: sourceLocation)
}

/// A listener's log, kept quiet: refusals are asserted through metrics.
let quietLogger: Logger = {
    var logger = Logger(label: "alertd.test")
    logger.logLevel = .critical
    return logger
}()

/// One event-loop group per suite (`@Suite(.eventLoopGroup)`), shut down when
/// the suite's last test ends. Tests read it from `EventLoopGroupTrait.group`.
struct EventLoopGroupTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: MultiThreadedEventLoopGroup?

    static var group: MultiThreadedEventLoopGroup {
        get throws { try #require(current, "the suite needs the .eventLoopGroup trait") }
    }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        do {
            try await Self.$current.withValue(group) { try await function() }
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}

extension Trait where Self == EventLoopGroupTrait {
    static var eventLoopGroup: Self { Self() }
}

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/alertio.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        path = try #require(made.map { String(cString: $0) }, "mkdtemp failed: errno \(errno)")
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs `serve` in a task for the length of `body`, then `stop`s and checks
/// that `serve` returns (a listener that cannot be stopped is a failure).
func whileServing(
    _ serve: @escaping @Sendable () async -> Void, stop: () async -> Void,
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async throws {
    let finished = Flag()
    let task = Task {
        await serve()
        finished.set()
    }
    do {
        try await body()
    } catch {
        await stop()
        task.cancel()
        throw error
    }
    await stop()
    try await waitUntil("serve() returns after stop()", sourceLocation: sourceLocation) {
        finished.isSet
    }
}

final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}

/// A native alert line, as a node agent sends it.
func alertLine(_ check: String, host: String = "node-1") -> String {
    #"{"check":"\#(check)","host":"\#(host)","summary":"\#(check) on \#(host)"}"# + "\n"
}

/// Hands a non-Sendable value to one other thread that alone uses it.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
