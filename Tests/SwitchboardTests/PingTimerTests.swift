import NIOCore
import NIOEmbedded
import Synchronization
import Testing

@testable import Switchboard

@Suite("One ping timer per event loop")
struct PingTimerTests {
    final class Member: PingTimerMember {
        var pingTimerSlot: Int?
        var ticks = 0
        var onTick: () -> Void = {}
        func pingTick() {
            ticks += 1
            onTick()
        }
    }

    @Test("a member's first tick comes between one and one and a quarter intervals after it was added, the next ones one interval apart")
    func cadence() {
        let loop = EmbeddedEventLoop()
        let timer = PingTimer(eventLoop: loop, interval: .milliseconds(400))
        let early = Member()
        timer.add(early)
        loop.advanceTime(by: .milliseconds(150))
        let late = Member()
        timer.add(late)  // between the first and second step
        loop.advanceTime(by: .milliseconds(249))
        #expect(early.ticks == 0)
        loop.advanceTime(by: .milliseconds(1))  // 400 ms: one interval after `early`
        #expect(early.ticks == 0)
        loop.advanceTime(by: .milliseconds(100))  // 500 ms: its first tick (1¼ intervals at most)
        #expect(early.ticks == 1)
        #expect(late.ticks == 0)
        loop.advanceTime(by: .milliseconds(100))  // 600 ms: 450 ms after `late` was added
        #expect(late.ticks == 1)
        loop.advanceTime(by: .milliseconds(300))  // 900 ms: one interval after early's first tick
        #expect(early.ticks == 2)
        #expect(late.ticks == 1)
        loop.advanceTime(by: .milliseconds(100))
        #expect(late.ticks == 2)
        #expect(timer.count == 2)
    }

    @Test("removing members keeps the others ticking, a member removed during a tick is not ticked again, and the last one out stops the timer")
    func removal() {
        let loop = EmbeddedEventLoop()
        let timer = PingTimer(eventLoop: loop, interval: .milliseconds(100))
        let members = (0..<5).map { _ in Member() }
        for member in members { timer.add(member) }
        timer.add(members[0])  // twice: once
        #expect(timer.count == 5)
        timer.remove(members[1])
        members[2].onTick = { timer.remove(members[2]) }  // a tick that closes its connection
        loop.advanceTime(by: .milliseconds(125))
        #expect(members.map(\.ticks) == [1, 0, 1, 1, 1])
        #expect(timer.count == 3)
        loop.advanceTime(by: .milliseconds(100))
        #expect(members.map(\.ticks) == [2, 0, 1, 2, 2])
        for member in [members[0], members[3], members[4]] { timer.remove(member) }
        #expect(timer.count == 0)
        #expect(members.allSatisfy { $0.pingTimerSlot == nil })
        loop.advanceTime(by: .seconds(1))
        #expect(members.map(\.ticks) == [2, 0, 1, 2, 2])
        // A member added after the timer stopped starts it again.
        timer.add(members[1])
        loop.advanceTime(by: .milliseconds(125))
        #expect(members[1].ticks == 1)
    }

    @Test("a member whose tick removes it does not stop another member due in the same step, and the timer keeps no reference to it after the step")
    func removedDuringTickIsReleased() {
        let loop = EmbeddedEventLoop()
        let timer = PingTimer(eventLoop: loop, interval: .milliseconds(100))
        weak var leaving: Member?
        do {
            let member = Member()
            member.onTick = { [unowned member] in timer.remove(member) }
            leaving = member
            timer.add(member)
        }
        let staying = Member()
        timer.add(staying)  // last: the removal moves it into the leaving member's slot
        #expect(leaving != nil)
        loop.advanceTime(by: .milliseconds(125))
        #expect(staying.ticks == 1)
        #expect(leaving == nil)
        #expect(timer.count == 1)
        loop.advanceTime(by: .milliseconds(100))
        #expect(staying.ticks == 2)
    }

    @Test("a value per event loop: made once on each loop, shared by its connections")
    func perLoop() {
        let first = EmbeddedEventLoop()
        let second = EmbeddedEventLoop()
        let made = Mutex(0)
        let timers = PerEventLoop { loop in
            made.withLock { $0 += 1 }
            return PingTimer(eventLoop: loop, interval: .seconds(30))
        }
        #expect(timers.value(on: first) === timers.value(on: first))
        #expect(timers.value(on: first) !== timers.value(on: second))
        #expect(made.withLock { $0 } == 2)
    }
}
