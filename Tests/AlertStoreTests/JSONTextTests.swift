import AlertCore
import Foundation
import Testing

@testable import AlertStore

/// The hand-written encoders write what Foundation's would read back, and
/// the hand-written decoders read it as Foundation's would.
@Suite("JSON text columns") struct JSONTextTests {
    @Test(arguments: [
        [:], ["team": "storage"], ["b": "2", "a": "1"], ["quote\"key": "back\\slash", "ctl": "tab\tnew\nline\u{1}", "é": "😀 /"],
    ] as [[String: String]])
    func labelsRoundTrip(_ labels: [String: String]) {
        #expect(JSONText.decodeMap(JSONText.encode(labels)) == labels)
        let foundation = try? JSONSerialization.jsonObject(with: Data(JSONText.encode(labels).utf8)) as? [String: String]
        #expect(foundation == labels)
    }

    @Test func listsRoundTrip() {
        let list = ["plain", "with \"quotes\"", "new\nline", ""]
        #expect(JSONText.decodeList(JSONText.encode(list)) == list)
    }

    @Test func escalationStateIsWrittenAsJSONEncoderWritesIt() {
        var state = EscalationState(level: .sev1, startedAt: Date(timeIntervalSince1970: 1_767_225_600.123), nextStep: 2)
        state.notified = ["oncall", "eng-manager"]
        state.breached = true
        #expect(JSONText.encode(state) == JSONText.encodeValue(state))
        state.lastUpdateAt = Date(timeIntervalSince1970: 1_767_225_700)
        state.lastReminderAt = Date(timeIntervalSince1970: 1_767_225_800)
        #expect(JSONText.encode(state) == JSONText.encodeValue(state))
        let back = JSONText.decodeValue(EscalationState.self, JSONText.encode(state))
        #expect(back?.notified == state.notified && back?.nextStep == 2 && back?.level == .sev1)
    }

    @Test func escalationStateIsReadAsJSONDecoderReadsIt() {
        var state = EscalationState(level: .sev2, startedAt: Date(timeIntervalSince1970: 1_767_225_600.123), nextStep: 1)
        #expect(JSONText.decodeEscalation(JSONText.encode(state)) == JSONText.decodeValue(EscalationState.self, JSONText.encode(state)))
        state.notified = ["oncall", "with \"quotes\""]
        state.breached = true
        state.lastUpdateAt = Date(timeIntervalSince1970: 1_767_225_700.5)
        state.lastReminderAt = Date(timeIntervalSince1970: 1_767_225_800)
        let decoded = JSONText.decodeEscalation(JSONText.encode(state))
        #expect(decoded != nil)
        #expect(decoded == JSONText.decodeValue(EscalationState.self, JSONText.encode(state)))
        #expect(JSONText.decodeEscalation(#"{"level":"SEV9"}"#) == nil)
        #expect(JSONText.decodeEscalation(nil) == nil)
    }
}
