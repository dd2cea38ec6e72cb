/// A parsed JSON document (RFC 8259), as plain values.
///
/// alertd decodes every ingested alert from JSON, so parsing is on the hot
/// path: Foundation's `JSONSerialization` builds `NSDictionary`/`NSString`
/// trees and managed ~210k small objects/s per core here, which alone would
/// spend the CPU budget of an alert. `JSONParser` reads the bytes once into
/// these values instead. Objects keep their members in order (an array of
/// pairs; alert objects are small, a linear lookup beats hashing).
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's text, as written (validated); `double` converts it.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The member `key` of an object (the last one, if repeated, as
    /// JSONSerialization does), or nil.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    public var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    public var double: Double? {
        guard case .number(let text) = self else { return nil }
        return Self.wholeNumber(text) ?? Double(text)
    }

    /// An integer literal of up to 15 digits, computed without `strtod`
    /// (times in milliseconds, counters: most numbers alertd reads). Every
    /// such value is exact in a `Double`, so the result is the same.
    private static func wholeNumber(_ text: String) -> Double? {
        var text = text
        return text.withUTF8 { bytes -> Double? in
            var index = 0
            let negative = bytes.first == UInt8(ascii: "-")
            if negative { index = 1 }
            let digits = bytes.count - index
            guard digits > 0, digits <= 15 else { return nil }
            var value: Int64 = 0
            while index < bytes.count {
                let digit = bytes[index] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
                index += 1
            }
            // -0 stays -0.0, as `Double("-0")` gives.
            return negative ? -Double(value) : Double(value)
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// What kind of value this is, for error messages ("a number").
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
