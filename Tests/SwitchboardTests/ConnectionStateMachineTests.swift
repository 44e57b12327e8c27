import NIOCore
import Testing

@testable import Switchboard

@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    private func machine(_ change: (inout Configuration) -> Void = { _ in }) -> ConnectionStateMachine {
        var configuration = Configuration()
        change(&configuration)
        return ConnectionStateMachine(configuration: configuration)
    }

    @Test("pending requests run up to the in-flight limit, then get 429")
    func inFlightLimit() {
        var machine = machine { $0.maxInFlightRequests = 2 }
        check(machine.pendingStarted(), .run)
        check(machine.pendingStarted(), .run)
        check(machine.pendingStarted(), .refuseTooMany)
        check(machine.pendingCompleted(), .write)
        check(machine.pendingStarted(), .run)
        #expect(machine.inFlight == 2)
    }

    @Test("malformed frames are answered until the flood limit within one window, then close")
    func malformedFlood() {
        var machine = machine {
            $0.maxMalformedFrames = 3
            $0.malformedFrameWindow = .seconds(10)
        }
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        for _ in 0..<3 { #expect(machine.malformedFrame(at: start) == .answerWithError) }
        // A new window starts the count again.
        let later = start + .seconds(11)
        for _ in 0..<3 { #expect(machine.malformedFrame(at: later) == .answerWithError) }
        #expect(machine.malformedFrame(at: later + .seconds(1)) == .closeForFlood)
    }

    @Test("a silent peer is pinged each tick and closed after the idle timeout; any frame resets it")
    func idle() {
        var machine = machine {
            $0.pingInterval = .seconds(30)
            $0.idleTimeout = .seconds(60)
        }
        check(machine.pingTick(), .ping)
        machine.heardFromPeer()
        check(machine.pingTick(), .none)
        check(machine.pingTick(), .ping)
        check(machine.pingTick(), .ping)
        check(machine.pingTick(), .closeIdle)
    }

    @Test("shutdown with nothing in flight closes at once")
    func shutdownIdle() {
        var machine = machine()
        check(machine.shutdownRequested(), .closeGoingAway)
    }

    @Test("shutdown waits for requests in flight, refuses new ones, and the last answer closes")
    func shutdownDrains() {
        var machine = machine()
        check(machine.pendingStarted(), .run)
        check(machine.pendingStarted(), .run)
        check(machine.shutdownRequested(), .waitForInFlight)
        check(machine.pendingStarted(), .refuseShuttingDown)
        check(machine.pendingCompleted(), .write)
        check(machine.pendingCompleted(), .writeAndCloseGoingAway)
        check(machine.closeSent(), true)
        check(machine.shutdownRequested(), .none)
    }

    @Test("after a close frame is sent, nothing more is written and answers are dropped")
    func closing() {
        var machine = machine()
        check(machine.pendingStarted(), .run)
        check(machine.closeSent(), true)
        check(machine.closeSent(), false)
        #expect(!machine.canWrite)
        check(machine.pendingCompleted(), .drop)
        check(machine.pendingStarted(), .drop)
        #expect(machine.malformedFrame(at: .now()) == .ignore)
        check(machine.pingTick(), .none)
    }
}

/// Expects `actual == expected`; takes the value as an argument so a mutating call can produce it.
private func check<T: Equatable>(_ actual: T, _ expected: T, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual == expected, sourceLocation: sourceLocation)
}
