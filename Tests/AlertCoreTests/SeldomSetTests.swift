import Testing

@testable import AlertCore

@Suite("SeldomSet")
struct SeldomSetTests {
    struct Fields: SeldomSetFields {
        var note: String?
        var tags: [String] = []
    }

    @Test("no box while every field is unset; setting and unsetting fields comes back to that")
    func emptyWhenUnset() {
        var set = SeldomSet(Fields())
        #expect(set.isEmpty)
        set.edit { $0.note = "a" }
        #expect(!set.isEmpty)
        #expect(set[\.note] == "a")
        set.edit { $0.tags = ["x"] }
        set.edit { $0.note = nil }
        #expect(set[\.tags, unset: []] == ["x"])
        set.edit { $0.tags = [] }
        #expect(set.isEmpty)
        #expect(set[\.note] == nil)
        #expect(set[\.tags, unset: ["unset"]] == ["unset"])
    }

    @Test("a copy keeps its fields when the original changes, and equal fields compare equal")
    func copyOnWrite() {
        var original = SeldomSet(Fields(note: "first"))
        let copy = original
        original.edit { $0.note = "second" }
        #expect(copy[\.note] == "first")
        #expect(original[\.note] == "second")
        #expect(copy != original)
        #expect(SeldomSet(Fields(note: "first")) == copy, "by value, not by box")
        original.clear()
        #expect(original == SeldomSet(Fields()))
        #expect(copy[\.note] == "first")
    }
}
