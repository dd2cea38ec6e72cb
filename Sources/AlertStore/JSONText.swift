import AlertCore
import Foundation

/// Small JSON columns (labels, roles, reasons), keys sorted so equal values
/// store equal text.
enum JSONText {
    static func encode(_ map: [String: String]) -> String {
        if map.isEmpty { return "{}" }
        return string(map)
    }

    static func encode(_ list: [String]) -> String { string(list) }

    static func decodeMap(_ text: String?) -> [String: String] {
        // Most maps are empty (an incident's roles): no parse for those.
        guard let text, text != "{}", case .object(let members)? = try? JSONParser.parse(text.utf8) else { return [:] }
        var map: [String: String] = [:]
        map.reserveCapacity(members.count)
        for (key, value) in members {
            guard let string = value.string else { return [:] }
            map[key] = string
        }
        return map
    }

    /// A Codable value as JSON text (escalation state, status updates).
    static func encodeValue(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Whole milliseconds, like every other time in the store.
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Millis.from(date))
        }
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decodeValue<T: Decodable>(_ type: T.Type, _ text: String?) -> T? {
        guard let data = text?.data(using: .utf8) else { return nil }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            Millis.date(try decoder.singleValueContainer().decode(Int64.self))
        }
        return try? decoder.decode(T.self, from: data)
    }

    static func decodeList(_ text: String?) -> [String] {
        guard let text, case .array(let items)? = try? JSONParser.parse(text.utf8) else { return [] }
        var list: [String] = []
        list.reserveCapacity(items.count)
        for item in items {
            guard let string = item.string else { return [] }
            list.append(string)
        }
        return list
    }

    // Encoders written out by hand: labels, reasons and escalation state are
    // written for every changed row of every commit, and Foundation's
    // encoders cost more than the rest of the row.

    // The usual texts need no escape: those are written byte by byte into
    // a string made at its final size (appending to a `String` checks and
    // copies piece by piece: ~10% of the pipeline's time on a new incident);
    // the others go the escaping way below. Both write the same text.

    private static func string(_ map: [String: String]) -> String {
        var members: [String] = []
        members.reserveCapacity(2 * map.count)
        for key in map.keys.sorted() {
            members.append(key)
            members.append(map[key]!)
        }
        return plain(members, "{", "}", pairs: true) ?? escapedString(map)
    }

    static func string(_ list: [String]) -> String { plain(list, "[", "]", pairs: false) ?? escapedString(list) }

    /// `texts` as a JSON array, or with `pairs` as an object's members
    /// (key, value, key, …); nil when one of them needs an escape.
    private static func plain(_ texts: [String], _ open: Unicode.Scalar, _ close: Unicode.Scalar, pairs: Bool) -> String? {
        var count = 2 + max(texts.count - 1, 0)
        for text in texts {
            guard isPlain(text) else { return nil }
            count += text.utf8.count + 2
        }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var writer = ByteWriter(buffer: buffer)
            writer.put(UInt8(ascii: open))
            for (index, text) in texts.enumerated() {
                if index > 0 { writer.put(UInt8(ascii: pairs && index % 2 == 1 ? ":" : ",")) }
                writer.putQuoted(text)
            }
            writer.put(UInt8(ascii: close))
            return writer.position
        }
    }

    /// Whether `text` goes into a JSON string literal as it is.
    static func isPlain(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    /// Writes into a buffer sized beforehand.
    private struct ByteWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var position = 0

        mutating func put(_ byte: UInt8) {
            buffer[position] = byte
            position += 1
        }

        /// `"text"`, for a text that `isPlain`.
        mutating func putQuoted(_ text: String) {
            put(UInt8(ascii: "\""))
            var text = text
            text.withUTF8 { bytes in
                if let source = bytes.baseAddress, let target = buffer.baseAddress {
                    (target + position).initialize(from: source, count: bytes.count)
                }
                position += bytes.count
            }
            put(UInt8(ascii: "\""))
        }
    }

    static func escapedString(_ map: [String: String]) -> String {
        var text = "{"
        // Grown once, not step by step (each step a copy): the size without escapes.
        text.reserveCapacity(map.reduce(1 + 6 * map.count) { $0 + $1.key.utf8.count + $1.value.utf8.count })
        for (index, key) in map.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            quote(key, into: &text)
            text += ":"
            quote(map[key]!, into: &text)
        }
        return text + "}"
    }

    static func escapedString(_ list: [String]) -> String {
        var text = "["
        text.reserveCapacity(list.reduce(1 + 3 * list.count) { $0 + $1.utf8.count })
        for (index, item) in list.enumerated() {
            if index > 0 { text += "," }
            quote(item, into: &text)
        }
        return text + "]"
    }

    /// A JSON string literal (RFC 8259 escapes) appended to `text`.
    static func quote(_ value: String, into text: inout String) {
        text += "\""
        JSONEscaping.append(value, to: &text)
        text += "\""
    }
}
