import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import AlertIO

/// Work handed to event loops from another thread (the pipeline's answers
/// after a commit): held while `together` runs, then every piece runs on
/// its own loop, in the order given.
@Suite struct EventLoopHandOffTests {
    @Test func heldWorkRunsOnItsLoopInOrderOnceTheBodyReturns() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let loops = [group.next(), group.next()]
        #expect(loops[0] !== loops[1])
        let ran = Mutex<[(loop: Int, item: Int, onLoop: Bool)]>([])
        let all = 200

        EventLoopHandOff.together {
            for item in 0..<all {
                let index = item % 2
                let loop = loops[index]
                EventLoopHandOff.execute(on: loop) { ran.withLock { $0.append((index, item, loop.inEventLoop)) } }
            }
            // A task queued on each loop now runs before anything held:
            // had the work been handed over already, it would be ahead of it.
            for loop in loops {
                let before = try? loop.submit { ran.withLock { $0.count } }.wait()
                #expect(before == 0, "work ran before the body returned")
            }
        }

        // Everything queued since lands behind it; when this has run, so has it.
        for loop in loops { try loop.submit {}.wait() }
        let records = ran.withLock { $0 }
        #expect(records.count == all)
        let offLoop = records.filter { !$0.onLoop }.count
        #expect(offLoop == 0)
        for index in 0..<2 {
            let items = records.filter { $0.loop == index }.map(\.item)
            #expect(items == Array(stride(from: index, to: all, by: 2)))
        }
    }

    @Test func onItsLoopWorkRunsAtOnceAndOutsideTogetherItIsHandedOverAtOnce() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let ran = Mutex(0)

        // On the loop itself: before `execute` returns.
        let inline = try loop.submit {
            EventLoopHandOff.execute(on: loop) { ran.withLock { $0 += 1 } }
            return ran.withLock { $0 }
        }.wait()
        #expect(inline == 1)

        // From another thread, outside `together`: queued at once, so a task
        // queued after it finds it done.
        EventLoopHandOff.execute(on: loop) { ran.withLock { $0 += 1 } }
        let after = try loop.submit { ran.withLock { $0 } }.wait()
        #expect(after == 2)
    }
}
