import AlertCore
import Foundation

/// An incident's escalation state as stored: one JSON object per active
/// incident, which start-up reads for every one of them.
extension JSONText {
    /// The escalation state as `JSONEncoder` with sorted keys and
    /// millisecond dates writes it (and `decodeValue` reads it).
    static func encode(_ state: EscalationState) -> String {
        var text = #"{"breached":"#
        // Grown once: the members' names and numbers take ~100 bytes.
        text.reserveCapacity(state.notified.reduce(128) { $0 + $1.utf8.count + 3 })
        text += state.breached ? "true" : "false"
        if let at = state.lastReminderAt { text += #","lastReminderAt":\#(Millis.from(at))"# }
        if let at = state.lastUpdateAt { text += #","lastUpdateAt":\#(Millis.from(at))"# }
        text += #","level":"\#(state.level.description)","nextStep":\#(state.nextStep),"notified":"#
        text += string(state.notified)
        return text + #","startedAt":\#(Millis.from(state.startedAt))}"#
    }

    /// Reads what `encode(_: EscalationState)` wrote (as `decodeValue`
    /// would, without Foundation's decoder: every active incident's state
    /// is read at start-up); nil when it is not such an object.
    static func decodeEscalation(_ text: String?) -> EscalationState? {
        guard var text else { return nil }
        return text.withUTF8 { decodeEscalation($0) }
    }

    /// The same from the text's UTF-8 (a database row's).
    static func decodeEscalation(_ bytes: UnsafeBufferPointer<UInt8>) -> EscalationState? {
        decodeOwnEscalation(bytes) ?? parseEscalation(bytes)
    }

    /// Any JSON text of an escalation state, by the parser.
    private static func parseEscalation(_ bytes: UnsafeBufferPointer<UInt8>) -> EscalationState? {
        var fields = [JSONValue?](repeating: nil, count: EscalationField.allCases.count)
        let scanned = (try? JSONParser.scanObject(bytes, keys: EscalationField.keys, found: { fields[$0.rawValue] = $1 })) == true
        func field(_ name: EscalationField) -> JSONValue? { fields[name.rawValue] }
        guard scanned, let level = field(.level)?.string.flatMap({ Severity(parsing: $0) }),
            let startedAt = field(.startedAt)?.double, let nextStep = field(.nextStep)?.double,
            case .bool(let breached)? = field(.breached), case .array(let notified)? = field(.notified)
        else { return nil }
        var state = EscalationState(level: level, startedAt: Millis.date(Int64(startedAt)), nextStep: Int(nextStep))
        state.breached = breached
        state.lastUpdateAt = field(.lastUpdateAt)?.double.map { Millis.date(Int64($0)) }
        state.lastReminderAt = field(.lastReminderAt)?.double.map { Millis.date(Int64($0)) }
        state.notified = notified.compactMap(\.string)
        return state
    }

    /// The members of an encoded `EscalationState`.
    private enum EscalationField: Int, CaseIterable, Sendable {
        case level, startedAt, nextStep, breached, notified, lastUpdateAt, lastReminderAt

        static let keys = JSONParser.Keys(allCases.map { ($0, "\($0)") })
    }

    /// What `encode(_: EscalationState)` writes, read straight from the
    /// bytes: its members in its order, numbers of up to 15 digits, strings
    /// without escapes. Anything else gives nil and the JSON parser reads it
    /// (a third of start-up with a million open incidents was that parser;
    /// what this reads, it reads as the parser does: tested on random states
    /// and on every one-byte change of them).
    static func decodeOwnEscalation(_ bytes: UnsafeBufferPointer<UInt8>) -> EscalationState? {
        var reader = OwnFormat(bytes: bytes)
        guard reader.take(#"{"breached":"#) else { return nil }
        let breached: Bool
        if reader.take("true") {
            breached = true
        } else if reader.take("false") {
            breached = false
        } else {
            return nil
        }
        var lastReminderAt: Int64?
        var lastUpdateAt: Int64?
        if reader.take(#","lastReminderAt":"#) {
            guard let at = reader.integer() else { return nil }
            lastReminderAt = at
        }
        if reader.take(#","lastUpdateAt":"#) {
            guard let at = reader.integer() else { return nil }
            lastUpdateAt = at
        }
        guard reader.take(#","level":""#), let levelText = reader.string(),
            let level = Severity.allCases.first(where: { $0.description == levelText }) ?? Severity(parsing: levelText),
            reader.take(#","nextStep":"#), let nextStep = reader.integer(), reader.take(#","notified":["#)
        else { return nil }
        var notified: [String] = []
        if !reader.take("]") {
            repeat {
                guard reader.take("\""), let receiver = reader.string() else { return nil }
                notified.append(receiver)
            } while reader.take(",")
            guard reader.take("]") else { return nil }
        }
        guard reader.take(#","startedAt":"#), let startedAt = reader.integer(), reader.take("}"), reader.atEnd else { return nil }
        var state = EscalationState(level: level, startedAt: Millis.date(startedAt), nextStep: Int(nextStep))
        state.breached = breached
        state.lastUpdateAt = lastUpdateAt.map(Millis.date)
        state.lastReminderAt = lastReminderAt.map(Millis.date)
        state.notified = notified
        return state
    }

    /// A cursor over text in `encode`'s own format.
    private struct OwnFormat {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        var atEnd: Bool { index == bytes.count }

        /// Consumes `literal` if the text continues with it.
        mutating func take(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != literal.utf8Start[offset] { return false }
            index += count
            return true
        }

        /// An integer as JSON writes one (no leading zeros), of 1 to 15 digits.
        mutating func integer() -> Int64? {
            let negative = take("-")
            let first = index
            var value: Int64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - first
            guard digits >= 1, digits <= 15, digits == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
            // A fraction or an exponent is not this format.
            guard index == bytes.count || (bytes[index] != UInt8(ascii: ".") && bytes[index] | 0x20 != UInt8(ascii: "e")) else {
                return nil
            }
            return negative ? -value : value
        }

        /// The rest of a string whose opening quote was read, through its
        /// closing quote; nil for an escape, a control character or bytes
        /// that are not UTF-8.
        mutating func string() -> String? {
            let first = index
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                guard bytes[index] >= 0x20, bytes[index] != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return String(validating: UnsafeBufferPointer(rebasing: bytes[first..<index]), as: UTF8.self)
        }
    }
}
