/// Fields that most values leave unset, kept in one heap box that exists
/// only while one of them is set: an absent box costs a pointer, where the
/// fields inline would cost their full size in every value.
///
/// `Incident` (who acknowledged or resolved it, roles, title…) and
/// `IncidentAlert` (the texts the engine writes through and forgets) use
/// it: the engine keeps one of each per open alert.
///
/// Copy on write: the box is changed in place only while uniquely
/// referenced, so values sharing it may be read from several threads.
struct SeldomSet<Fields: SeldomSetFields>: Equatable, @unchecked Sendable {
    private final class Box {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box?

    init(_ fields: Fields) { box = fields.isEmpty ? nil : Box(fields) }

    /// Whether any field is set.
    var isEmpty: Bool { box == nil }

    /// Reads one field (nil when no field is set): the fields are not
    /// copied as a whole to read one.
    subscript<Value>(_ field: KeyPath<Fields, Value?>) -> Value? { box?.fields[keyPath: field] }

    subscript<Value>(_ field: KeyPath<Fields, Value>, unset unset: Value) -> Value { box?.fields[keyPath: field] ?? unset }

    mutating func edit(_ change: (inout Fields) -> Void) {
        if box == nil {
            var fields = Fields()
            change(&fields)
            if !fields.isEmpty { box = Box(fields) }
        } else if isKnownUniquelyReferenced(&box) {
            change(&box!.fields)
            if box!.fields.isEmpty { box = nil }
        } else {
            var fields = box!.fields
            change(&fields)
            box = fields.isEmpty ? nil : Box(fields)
        }
    }

    /// Unsets every field.
    mutating func clear() { box = nil }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.box === rhs.box || lhs.box?.fields == rhs.box?.fields
    }
}

/// The fields a `SeldomSet` holds: all unset when made with `init()`.
protocol SeldomSetFields: Equatable, Sendable {
    init()
    var isEmpty: Bool { get }
}

extension SeldomSetFields {
    var isEmpty: Bool { self == Self() }
}
