/// A fingerprint as `FingerprintMap` keys it: the number its 15 lowercase
/// hex digits spell (every computed fingerprint, `Fingerprint.of`), or any
/// other text as it is (a `dedup_key`). Text and number map one to one, so
/// no two fingerprints share a key.
enum FingerprintKey: Sendable {
    case number(UInt64)
    case text(String)

    init(_ fingerprint: String) {
        var utf8 = fingerprint
        if let number = utf8.withUTF8({ Self.number($0) }) { self = .number(number) } else { self = .text(fingerprint) }
    }

    /// From the fingerprint's UTF-8 bytes, as a database row holds them: no
    /// string is made for a number.
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        if let number = Self.number(bytes) { self = .number(number) } else { self = .text(String(decoding: bytes, as: UTF8.self)) }
    }

    /// The fingerprint's text.
    var text: String {
        switch self {
        case .number(let number): return Fingerprint.hex(number)
        case .text(let text): return text
        }
    }

    /// The number 15 lowercase hex digits spell; nil for any other text
    /// (upper case included: `ABC…` and `abc…` are different fingerprints).
    static func number(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard bytes.count == Fingerprint.digitCount else { return nil }
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

/// A map keyed by fingerprint that keeps no string for the usual one.
///
/// A computed fingerprint is 15 lowercase hex digits. Here its number is
/// the key (`FingerprintKey`): 8 bytes a key instead of a string's 16 (the
/// index holds one for every open alert), and a one-word hash. Any other
/// text (a `dedup_key`, which may be longer than `String` holds inline) is
/// kept as it is, in a second map.
struct FingerprintMap<Value: Sendable>: Sendable {
    private var byNumber: [UInt64: Value] = [:]
    private var byText: [String: Value] = [:]

    subscript(fingerprint: String) -> Value? {
        get { self[FingerprintKey(fingerprint)] }
        set { self[FingerprintKey(fingerprint)] = newValue }
    }

    subscript(key: FingerprintKey) -> Value? {
        get {
            switch key {
            case .number(let number): return byNumber[number]
            case .text(let text): return byText[text]
            }
        }
        set {
            switch key {
            case .number(let number): byNumber[number] = newValue
            case .text(let text): byText[text] = newValue
            }
        }
    }

    /// Changes the value in place (one probe), adding `defaultValue` first
    /// when there is none; removes the entry when `change` returns true.
    mutating func update(_ key: FingerprintKey, default defaultValue: Value, _ change: (inout Value) -> Bool) {
        switch key {
        case .number(let number):
            if change(&byNumber[number, default: defaultValue]) { byNumber.removeValue(forKey: number) }
        case .text(let text):
            if change(&byText[text, default: defaultValue]) { byText.removeValue(forKey: text) }
        }
    }

    mutating func update(_ fingerprint: String, default defaultValue: Value, _ change: (inout Value) -> Bool) {
        update(FingerprintKey(fingerprint), default: defaultValue, change)
    }

    var count: Int { byNumber.count + byText.count }

    mutating func reserveCapacity(_ count: Int) { byNumber.reserveCapacity(count) }
}
