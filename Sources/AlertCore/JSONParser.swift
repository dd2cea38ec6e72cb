/// A strict RFC 8259 parser into `JSONValue`, one pass over the bytes.
///
/// Strict like `JSONSerialization`: no comments, no trailing commas, no
/// leading zeros, no unescaped control characters, valid UTF-8 only, lone
/// surrogates in `\u` escapes refused. Nesting is limited (`maxDepth`) so a
/// hostile `[[[[…` cannot exhaust the stack. Errors say what and where.
public struct JSONParser {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let message: String
        public let offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    public static let maxDepth = 64

    /// Parses one JSON text (surrounding whitespace allowed, nothing else).
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        let result: Result<JSONValue, Failure>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Failure) -> JSONValue in try parseWhole(buffer) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(Failure) in try parseWhole(buffer) }
    }

    private static func parseWhole(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var parser = Cursor(bytes: buffer)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == buffer.count else { throw parser.failure("unexpected data after the JSON value") }
        return value
    }

    /// The member names a decoder of a fixed shape reads, each with the
    /// field it stands for; `scanObject` matches raw key bytes against them
    /// (no `String` per key).
    public struct Keys<Field: Sendable>: Sendable {
        fileprivate let fields: [Field]
        fileprivate let names: KeyNames
        /// The position of the member read as a map of strings, if any.
        fileprivate let stringMap: Int?

        public init(_ names: [(Field, String)]) {
            fields = names.map(\.0)
            self.names = KeyNames(names.map { Array($0.1.utf8) })
            stringMap = nil
        }

        /// `stringMap` names the member `scanObject(_:keys:stringMap:found:)`
        /// reads straight into a dictionary when it holds only strings.
        public init(_ names: [(Field, String)], stringMap: Field) where Field: Equatable {
            fields = names.map(\.0)
            self.names = KeyNames(names.map { Array($0.1.utf8) })
            self.stringMap = fields.firstIndex(of: stringMap)
        }
    }

    /// The names alone, matched by position: the scan loop is not generic,
    /// so a decoder in another module runs it without looking up generic
    /// metadata per member (that lookup was most of reading an incident's
    /// escalation state at start-up).
    fileprivate struct KeyNames: Sendable {
        /// Every name's UTF-8, one after another, and where each ends: one
        /// buffer walked by pointer. As an array per name, each name looked
        /// at was retained and released, for every member of every alert
        /// (5% of a UDP listener's time).
        private let bytes: [UInt8]
        private let ends: [Int]

        init(_ utf8: [[UInt8]]) {
            bytes = Array(utf8.joined())
            var end = 0
            ends = utf8.map { name in
                end += name.count
                return end
            }
        }

        func position(of key: UnsafeBufferPointer<UInt8>) -> Int? {
            bytes.withUnsafeBufferPointer { bytes in
                ends.withUnsafeBufferPointer { ends in
                    var start = 0
                    for position in ends.indices {
                        let end = ends[position]
                        if end - start == key.count, Self.equal(bytes, from: start, key) { return position }
                        start = end
                    }
                    return nil
                }
            }
        }

        private static func equal(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
            for offset in key.indices where bytes[start + offset] != key[offset] { return false }
            return true
        }
    }

    /// Reads one JSON text that must be an object without building it:
    /// only the values of the members named in `keys` are built and handed
    /// to `found` (the last of a repeated member last); the others are
    /// checked and skipped. Returns false, having read nothing, when the
    /// text does not start with `{` (parse it whole to tell bad JSON from
    /// another value).
    ///
    /// The same checks and the same failures, at the same offsets, as
    /// `parse`: a decoder of a fixed set of fields uses this to skip the
    /// key strings and the member list of every object it reads.
    public static func scanObject<Field>(
        _ buffer: UnsafeBufferPointer<UInt8>, keys: Keys<Field>, found: (Field, JSONValue) -> Void
    ) throws(Failure) -> Bool {
        var unused: [String: String] = [:]
        return try scanObject(buffer, names: keys.names, into: &unused) { position, value in found(keys.fields[position], value) }
    }

    /// Like `scanObject(_:keys:found:)`, and the member `keys` names as its
    /// string map (an alert's labels), when it is an object of strings, is
    /// read straight into `stringMap` (no `JSONValue` per member, no member
    /// list) and handed to `found` as `null`. Anything else there is
    /// handed to `found` as it is, and `stringMap` left empty, so the
    /// caller reports it. The last of a repeated member wins either way.
    public static func scanObject<Field>(
        _ buffer: UnsafeBufferPointer<UInt8>, keys: Keys<Field>, stringMap: inout [String: String],
        found: (Field, JSONValue) -> Void
    ) throws(Failure) -> Bool {
        try scanObject(buffer, names: keys.names, stringMap: keys.stringMap, into: &stringMap) { position, value in
            found(keys.fields[position], value)
        }
    }

    private static func scanObject(
        _ buffer: UnsafeBufferPointer<UInt8>, names: KeyNames, stringMap: Int? = nil,
        into map: inout [String: String], found: (Int, JSONValue) -> Void
    ) throws(Failure) -> Bool {
        var cursor = Cursor(bytes: buffer)
        cursor.skipWhitespace()
        guard !cursor.atEnd, buffer[cursor.index] == UInt8(ascii: "{") else { return false }
        try cursor.members(depth: 1) { key, cursor throws(Failure) in
            if let position = names.position(of: key) {
                if position == stringMap {
                    let read = try cursor.stringMembers(depth: 1, into: &map)
                    found(position, read ? .null : try cursor.value(depth: 1))
                    return
                }
                found(position, try cursor.value(depth: 1))
            } else {
                _ = try cursor.value(depth: 1)
            }
        }
        cursor.skipWhitespace()
        guard cursor.index == buffer.count else { throw cursor.failure("unexpected data after the JSON value") }
        return true
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        func failure(_ message: String) -> Failure { Failure(message: message, offset: index) }

        var atEnd: Bool { index >= bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            guard !atEnd else { throw failure("unexpected end of input") }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw failure("unexpected character")
            }
        }

        /// Reads the object at `index` into `map` when every value in it is
        /// a string (emptying `map` first); otherwise leaves `index` where
        /// it was, `map` empty, and returns false. The same checks as
        /// `value(depth:)`, so bad JSON fails as it would there.
        mutating func stringMembers(depth: Int, into map: inout [String: String]) throws(Failure) -> Bool {
            map.removeAll(keepingCapacity: true)
            guard !atEnd, bytes[index] == UInt8(ascii: "{") else { return false }
            let start = index
            var strings = true
            try members(depth: depth + 1) { key, cursor throws(Failure) in
                guard strings, !cursor.atEnd, cursor.bytes[cursor.index] == UInt8(ascii: "\"") else {
                    strings = false
                    _ = try cursor.value(depth: depth + 1)
                    return
                }
                // Room for the usual few labels at once, not grown one by one.
                if map.isEmpty, map.capacity < 8 { map.reserveCapacity(8) }
                map[String(decoding: key, as: UTF8.self)] = try cursor.string()
            }
            guard strings else {
                index = start
                map.removeAll()
                return false
            }
            return true
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw failure("unexpected end of input") }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                throw failure("unexpected character")
            }
            index += count
        }

        mutating func object(depth: Int) throws(Failure) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = []
            try self.members(depth: depth) { key, cursor throws(Failure) in
                members.append((String(decoding: key, as: UTF8.self), try cursor.value(depth: depth)))
            }
            return .object(members)
        }

        /// Reads the object at `index`, handing each member's key as raw
        /// UTF-8 (escapes decoded) with the cursor at its value, which
        /// `member` must read. `object(depth:)` and `scanObject` build on it.
        mutating func members(
            depth: Int, _ member: (UnsafeBufferPointer<UInt8>, inout Cursor) throws(Failure) -> Void
        ) throws(Failure) {
            guard depth <= JSONParser.maxDepth else { throw failure("nested deeper than \(JSONParser.maxDepth) levels") }
            index += 1  // {
            skipWhitespace()
            if !atEnd && bytes[index] == UInt8(ascii: "}") {
                index += 1
                return
            }
            while true {
                skipWhitespace()
                guard !atEnd, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
                let rawKey = try unescapedKey()
                var decodedKey = rawKey == nil ? try string() : ""
                skipWhitespace()
                guard !atEnd, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
                index += 1
                skipWhitespace()
                if let rawKey {
                    try member(UnsafeBufferPointer(rebasing: bytes[rawKey]), &self)
                } else {
                    // A key with escapes: rare, so copying the cursor is fine.
                    var copy = self
                    var failed: Failure?
                    decodedKey.withUTF8 { raw in
                        do throws(Failure) { try member(raw, &copy) } catch { failed = error }
                    }
                    if let failed { throw failed }
                    self = copy
                }
                skipWhitespace()
                guard !atEnd else { throw failure("unexpected end of input in an object") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "}") else { throw failure("expected ',' or '}' in an object") }
                index += 1
                return
            }
        }

        /// The bytes of the string at `index` when it has no escapes (the
        /// usual key), checked as `string()` checks them but not copied;
        /// nil, with nothing read, when it has escapes.
        mutating func unescapedKey() throws(Failure) -> Range<Int>? {
            let quote = index
            index += 1  // opening quote
            let start = index
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    if !ascii { _ = try validated(start..<index) }
                    index += 1
                    return start..<(index - 1)
                }
                if byte == UInt8(ascii: "\\") {
                    index = quote
                    return nil
                }
                if byte < 0x20 { throw failure("unescaped control character in a string") }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            throw failure("unterminated string")
        }

        mutating func array(depth: Int) throws(Failure) -> JSONValue {
            guard depth <= JSONParser.maxDepth else { throw failure("nested deeper than \(JSONParser.maxDepth) levels") }
            index += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if !atEnd && bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard !atEnd else { throw failure("unexpected end of input in an array") }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard bytes[index] == UInt8(ascii: "]") else { throw failure("expected ',' or ']' in an array") }
                index += 1
                return .array(elements)
            }
        }

        /// A string; the common case (no escapes) is one validated copy.
        mutating func string() throws(Failure) -> String {
            index += 1  // opening quote
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = try validated(start..<index)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
                if byte < 0x20 { throw failure("unescaped control character in a string") }
                index += 1
            }
            throw failure("unterminated string")
        }

        func validated(_ range: Range<Int>) throws(Failure) -> String {
            let slice = UnsafeBufferPointer(rebasing: bytes[range])
            // All-ASCII is by far the usual case and needs no UTF-8 check.
            var ascii = true
            for byte in slice where byte >= 0x80 {
                ascii = false
                break
            }
            if ascii { return String(decoding: slice, as: UTF8.self) }
            guard let text = String(validating: slice, as: UTF8.self) else {
                throw Failure(message: "invalid UTF-8 in a string", offset: range.lowerBound)
            }
            return text
        }

        mutating func escapedString(from start: Int) throws(Failure) -> String {
            var utf8: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let text = String(validating: utf8, as: UTF8.self) else {
                        throw Failure(message: "invalid UTF-8 in a string", offset: start)
                    }
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    guard !atEnd else { throw failure("unterminated string") }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): utf8.append(0x22)
                    case UInt8(ascii: "\\"): utf8.append(0x5C)
                    case UInt8(ascii: "/"): utf8.append(0x2F)
                    case UInt8(ascii: "b"): utf8.append(0x08)
                    case UInt8(ascii: "f"): utf8.append(0x0C)
                    case UInt8(ascii: "n"): utf8.append(0x0A)
                    case UInt8(ascii: "r"): utf8.append(0x0D)
                    case UInt8(ascii: "t"): utf8.append(0x09)
                    case UInt8(ascii: "u"): try unicodeEscape(into: &utf8)
                    default:
                        index -= 1
                        throw failure("invalid escape in a string")
                    }
                default:
                    if byte < 0x20 { throw failure("unescaped control character in a string") }
                    utf8.append(byte)
                    index += 1
                }
            }
            throw failure("unterminated string")
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("invalid \\u escape")
                }
                value = value << 4 | UInt32(digit)
                index += 1
            }
            return value
        }

        mutating func unicodeEscape(into utf8: inout [UInt8]) throws(Failure) {
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw failure("lone surrogate in a \\u escape") }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("lone surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("lone surrogate in a \\u escape")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
            UTF8.encode(unicode) { utf8.append($0) }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        mutating func number() throws(Failure) -> String {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard !atEnd else { throw failure("truncated number") }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if isDigit(bytes[index]) {
                while !atEnd && isDigit(bytes[index]) { index += 1 }
            } else {
                throw failure("invalid number")
            }
            if !atEnd && bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard !atEnd && isDigit(bytes[index]) else { throw failure("invalid number: digits must follow '.'") }
                while !atEnd && isDigit(bytes[index]) { index += 1 }
            }
            if !atEnd && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
                index += 1
                if !atEnd && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
                guard !atEnd && isDigit(bytes[index]) else { throw failure("invalid number: digits must follow the exponent") }
                while !atEnd && isDigit(bytes[index]) { index += 1 }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    }
}
