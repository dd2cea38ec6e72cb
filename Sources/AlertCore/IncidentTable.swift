/// Incidents by id, each in a heap box of its own: a dictionary in use.
///
/// A `Dictionary` stores its values inline in a bucket array that is kept
/// at most three-quarters full and doubles when it fills, so at 1M incidents
/// it holds 2M buckets: with a 200-byte `Incident` inline that was ~430
/// bytes per incident, and every doubling copied the whole table. Here a
/// bucket is an id and a reference (16 bytes); each incident costs its box
/// (~220 bytes) and a doubling copies references only.
public struct IncidentTable: Sendable {
    /// Mutated in place only while uniquely referenced (copy on write), so
    /// sharing a box between copies of the table, and threads, is safe.
    fileprivate final class Box: @unchecked Sendable {
        var incident: Incident
        init(_ incident: Incident) { self.incident = incident }
    }

    private var boxes: [Int64: Box]

    public init() { boxes = [:] }

    public init(minimumCapacity: Int) { boxes = Dictionary(minimumCapacity: minimumCapacity) }

    public var count: Int { boxes.count }

    public var isEmpty: Bool { boxes.isEmpty }

    public var keys: some Collection<Int64> { boxes.keys }

    /// The incidents, in no particular order.
    public var values: some Collection<Incident> { boxes.values.lazy.map(\.incident) }

    public subscript(id: Int64) -> Incident? {
        get { boxes[id]?.incident }
        set {
            guard let newValue else {
                boxes.removeValue(forKey: id)
                return
            }
            // A shared box is replaced, not copied first only to be overwritten.
            if let index = boxes.index(forKey: id), isKnownUniquelyReferenced(&boxes.values[index]) {
                boxes.values[index].incident = newValue
            } else {
                boxes[id] = Box(newValue)
            }
        }
    }

    /// Whether incident `id` is here (no copy of it).
    public func contains(_ id: Int64) -> Bool { boxes.index(forKey: id) != nil }

    /// Changes incident `id` in place (no copy of it, nor of its alerts);
    /// nil when there is none.
    @discardableResult
    public mutating func update<Result>(_ id: Int64, _ change: (inout Incident) throws -> Result) rethrows -> Result? {
        guard let index = boxes.index(forKey: id) else { return nil }
        if !isKnownUniquelyReferenced(&boxes.values[index]) { boxes.values[index] = Box(boxes.values[index].incident) }
        return try change(&boxes.values[index].incident)
    }

    /// Calls `body` with each incident where it lies (no copy of it: start-up
    /// indexes a million of them).
    public func forEachInPlace(_ body: (borrowing Incident) throws -> Void) rethrows {
        // Through a pointer: passing `box.incident` itself copied the
        // incident (a retain of each of its references) per call.
        for box in boxes.values { try withUnsafeMutablePointer(to: &box.incident) { try body($0.pointee) } }
    }

    @discardableResult
    public mutating func removeValue(forKey id: Int64) -> Incident? { boxes.removeValue(forKey: id)?.incident }

    public mutating func reserveCapacity(_ minimumCapacity: Int) { boxes.reserveCapacity(minimumCapacity) }
}

extension IncidentTable: Sequence {
    public struct Iterator: IteratorProtocol {
        fileprivate var boxes: Dictionary<Int64, Box>.Iterator

        public mutating func next() -> (key: Int64, value: Incident)? {
            boxes.next().map { ($0.key, $0.value.incident) }
        }
    }

    public func makeIterator() -> Iterator { Iterator(boxes: boxes.makeIterator()) }

    public var underestimatedCount: Int { count }
}
