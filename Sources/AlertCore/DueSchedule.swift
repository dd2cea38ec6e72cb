import Foundation
import HeapModule

/// When each key next needs attention, so a reconcile cycle visits only
/// what is due instead of scanning everything it holds (a million open
/// incidents cost a tick nothing until one of them is due).
///
/// A min-heap of (time, key) with lazy deletion: `set` pushes a new entry
/// and remembers the key's current time; entries that no longer match it
/// are skipped when they surface. Keys due at the same time come out in
/// key order, so what is due together is handled in the same order however
/// the schedule got there (incident #3's page before #7's).
struct DueSchedule<Key: Hashable & Comparable & Sendable>: Sendable {
    private struct Entry: Comparable, Sendable {
        var at: Date
        var key: Key
        static func < (a: Entry, b: Entry) -> Bool { a.at < b.at || (a.at == b.at && a.key < b.key) }
        static func == (a: Entry, b: Entry) -> Bool { a.at == b.at && a.key == b.key }
    }

    private var heap = Heap<Entry>()
    private var current: [Key: Date] = [:]

    /// Schedules `key` at `at`, replacing its earlier time; nil unschedules it.
    mutating func set(_ key: Key, at: Date?) {
        guard current[key] != at else { return }
        current[key] = at
        if let at { heap.insert(Entry(at: at, key: key)) }
        // Stale entries are dropped as they surface; rebuild when they pile up.
        if heap.count > 2 * current.count + 1024 { compact() }
    }

    func time(of key: Key) -> Date? { current[key] }

    /// Room for `count` keys without growing (start-up schedules every
    /// active incident at once).
    mutating func reserveCapacity(_ count: Int) { current.reserveCapacity(count) }

    /// Takes the earliest key due at `now` (unscheduling it), or nil.
    mutating func popDue(_ now: Date) -> Key? {
        while let top = heap.min, top.at <= now {
            heap.removeMin()
            if current[top.key] == top.at {
                current.removeValue(forKey: top.key)
                return top.key
            }
        }
        return nil
    }

    var count: Int { current.count }

    private mutating func compact() {
        heap = Heap(current.map { Entry(at: $0.value, key: $0.key) })
    }
}
