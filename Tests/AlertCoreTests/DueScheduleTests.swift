import Foundation
import Testing

@testable import AlertCore

@Suite("Due schedule") struct DueScheduleTests {
    @Test func popsWhatIsDueInTimeOrderAndHonoursTheLatestTime() {
        var schedule = DueSchedule<Int>()
        schedule.set(1, at: testEpoch + 30)
        schedule.set(2, at: testEpoch + 10)
        schedule.set(3, at: testEpoch + 20)
        schedule.set(1, at: testEpoch + 5)  // moved earlier
        schedule.set(3, at: nil)  // unscheduled
        #expect(schedule.popDue(testEpoch) == nil)
        #expect(schedule.popDue(testEpoch + 60) == 1)
        #expect(schedule.popDue(testEpoch + 60) == 2)
        #expect(schedule.popDue(testEpoch + 60) == nil)  // 3's stale entry is skipped
        #expect(schedule.count == 0)
    }

    @Test func manyReschedulesStayBounded() {
        var schedule = DueSchedule<Int>()
        for round in 0..<50 { for key in 0..<100 { schedule.set(key, at: testEpoch + Double(round * 100 + key)) } }
        #expect(schedule.count == 100)
        var popped: [Int] = []
        while let key = schedule.popDue(testEpoch + 1e9) { popped.append(key) }
        #expect(popped == Array(0..<100))
    }

    @Test func theEscalationCycleSchedulesEachIncidentAtItsNextStepOrBreach() throws {
        var h = EscalationTests.harness()
        h.send(EscalationTests.nodeDown)  // SEV1: step 2 after 15m, ack_within 15m
        _ = h.take()
        #expect(h.engine.attention.time(of: 1) == testEpoch + 15 * 60)
        try h.engine.acknowledge(1, by: "alice", now: h.now)
        _ = h.take()
        // Acknowledged: no step or breach to wait for; SEV1's update reminder remains.
        let reminder = h.engine.attention.time(of: 1)
        #expect(reminder == nil || reminder! > testEpoch + 15 * 60)
    }
}
