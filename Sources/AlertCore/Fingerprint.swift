/// An alert's identity: the same problem on the same thing has the same
/// fingerprint, whatever its text or timestamp says (SPEC §3).
public enum Fingerprint {
    /// `dedup_key` when given; else FNV-1a 64 over source, host, check and the
    /// sorted labels, its low 60 bits as 15 hex digits. FNV is stable across
    /// runs and versions (unlike Swift's `Hasher`), so identities survive
    /// restarts. Summary, description, severity and timestamp are
    /// deliberately left out.
    ///
    /// Fifteen digits, not sixteen: that is what `String` holds inline, so a
    /// fingerprint costs no heap block, neither per alert received (it is
    /// made for each) nor per open alert (each keeps one), and is hashed and
    /// compared as two words. Sixty bits leave a collision among a million
    /// distinct alerts at odds of about 1 in 2.3 million. Stores that hold
    /// 16-digit fingerprints (before 2026-12) are rewritten on open
    /// (`SQLiteIncidentStore.migrator`, v6).
    public static func of(_ alert: Alert) -> String {
        if let key = alert.dedupKey, !key.isEmpty { return key }
        var hash = FNV1a64()
        hash.add(alert.source ?? "")
        hash.add(alert.host ?? "")
        hash.add(alert.check)
        hash.addSorted(alert.labels)
        return hash.hex
    }
}

/// 64-bit FNV-1a, with a separator byte after each field so that
/// ("ab","c") and ("a","bc") differ.
struct FNV1a64 {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ text: String) {
        // Not `withUTF8`, which needs a mutable copy of the string (a retain).
        let mixed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { mix(byte) }
        }
        if mixed == nil {
            for byte in text.utf8 { mix(byte) }
        }
        mix(0xff)  // never valid in UTF-8, so it cannot occur inside a field
    }

    /// Adds each label, key then value, in key order: the labels' places
    /// in the dictionary are sorted on the stack (every alert of every
    /// listener comes through here; sorting the keys into an array and
    /// looking each value up again cost an allocation and a hash per label).
    mutating func addSorted(_ labels: [String: String]) {
        guard labels.count > 1 else {
            for (key, value) in labels {
                add(key)
                add(value)
            }
            return
        }
        withUnsafeTemporaryAllocation(of: Dictionary<String, String>.Index.self, capacity: labels.count) { order in
            _ = order.initialize(fromContentsOf: labels.indices)
            defer { order.deinitialize() }
            for next in 1..<order.count {  // insertion sort: labels are few
                let place = order[next]
                var slot = next
                while slot > 0, labels[place].key < labels[order[slot - 1]].key {
                    order[slot] = order[slot - 1]
                    slot -= 1
                }
                order[slot] = place
            }
            for place in order {
                add(labels[place].key)
                add(labels[place].value)
            }
        }
    }

    /// Adds a number's eight bytes (for digests kept in memory only: a
    /// fingerprint hashes text alone).
    mutating func add(_ number: Int64) {
        var rest = UInt64(bitPattern: number)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: rest))
            rest >>= 8
        }
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01b3
    }

    var hex: String { Fingerprint.hex(value) }
}

extension Fingerprint {
    /// How many hex digits a computed fingerprint has.
    static let digitCount = 15

    /// The low 60 bits of `value` as 15 lowercase hex digits, written
    /// straight into the string's (inline) storage.
    static func hex(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: digitCount) { buffer in
            for index in 0..<digitCount {
                buffer[index] = digits.utf8Start[Int((value >> UInt64(4 * (digitCount - 1 - index))) & 0xf)]
            }
            return digitCount
        }
    }

    private static let digits: StaticString = "0123456789abcdef"
}
