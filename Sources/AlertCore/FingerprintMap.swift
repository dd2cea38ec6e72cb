/// A map keyed by fingerprint that keeps no string for the usual one.
///
/// A computed fingerprint is 16 lowercase hex digits (`Fingerprint.of`):
/// one character more than `String` holds inline, so as a dictionary key
/// each costs a heap block of its own (64 bytes with malloc's overhead),
/// and hashing it reads that block. Those 16 digits are one 64-bit number,
/// and that number is the key here: no allocation, a cheap hash, and no
/// pointer into the heap for every open alert. Any other text (a
/// `dedup_key`) is kept as it is, in a second map. Exact either way: text
/// and number map one to one, so no two fingerprints can share a key.
struct FingerprintMap<Value: Sendable>: Sendable {
    private var byNumber: [UInt64: Value] = [:]
    private var byText: [String: Value] = [:]

    subscript(fingerprint: String) -> Value? {
        get {
            if let number = Self.number(fingerprint) { return byNumber[number] }
            return byText[fingerprint]
        }
        set {
            if let number = Self.number(fingerprint) { byNumber[number] = newValue } else { byText[fingerprint] = newValue }
        }
    }

    /// Changes the value in place (one probe), adding `defaultValue` first
    /// when there is none; removes the entry when `change` returns true.
    mutating func update(_ fingerprint: String, default defaultValue: Value, _ change: (inout Value) -> Bool) {
        let remove: Bool
        if let number = Self.number(fingerprint) {
            remove = change(&byNumber[number, default: defaultValue])
            if remove { byNumber.removeValue(forKey: number) }
        } else {
            remove = change(&byText[fingerprint, default: defaultValue])
            if remove { byText.removeValue(forKey: fingerprint) }
        }
    }

    var count: Int { byNumber.count + byText.count }

    mutating func reserveCapacity(_ count: Int) { byNumber.reserveCapacity(count) }

    /// The number 16 lowercase hex digits spell; nil for any other text
    /// (upper case included: `ABC…` and `abc…` are different fingerprints).
    static func number(_ fingerprint: String) -> UInt64? {
        var fingerprint = fingerprint
        return fingerprint.withUTF8 { bytes -> UInt64? in
            guard bytes.count == 16 else { return nil }
            var value: UInt64 = 0
            for byte in bytes {
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
                default: return nil
                }
                value = value << 4 | UInt64(digit)
            }
            return value
        }
    }
}
