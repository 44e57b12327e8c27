import NIOCore
import Synchronization

/// A queue of events from a channel handler to a test, with a bounded wait.
final class EventInbox<Event: Sendable>: Sendable {
    private struct State {
        var buffered: [Event] = []
        var waiter: CheckedContinuation<Event?, Never>?
        var waiterID = 0
        var finished = false
    }

    private let state = Mutex(State())

    func push(_ event: Event) {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffered.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// No more events will come.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<Event?, Never>? in
            state.finished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next event, or `nil` after `timeout` or when finished.
    func next(timeout: TimeAmount, on eventLoop: any EventLoop) async -> Event? {
        await withCheckedContinuation { continuation in
            let action = state.withLock { state -> (Event?, Bool, Int) in
                if !state.buffered.isEmpty { return (state.buffered.removeFirst(), true, 0) }
                if state.finished { return (nil, true, 0) }
                state.waiterID += 1
                state.waiter = continuation
                return (nil, false, state.waiterID)
            }
            if action.1 {
                continuation.resume(returning: action.0)
                return
            }
            let id = action.2
            eventLoop.scheduleTask(in: timeout) {
                let waiter = self.state.withLock { state -> CheckedContinuation<Event?, Never>? in
                    guard state.waiterID == id, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume(returning: nil)
            }
        }
    }
}
