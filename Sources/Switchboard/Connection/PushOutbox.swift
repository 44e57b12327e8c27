/// The pushes waiting for one connection's next write, queued from any thread (under its
/// ``Connection``'s lock) in the order they were published; the connection's handler takes
/// them on its event loop, once per tick or before a response.
///
/// A queued push is a reference to a frame built once for all its recipients, never a copy.
/// Taking swaps the queue with the taker's (emptied) array, so neither side allocates once both
/// have grown to the usual number of pushes per tick.
struct PushOutbox {
    /// What became of a push handed to ``enqueue(_:)``.
    enum EnqueueOutcome: Equatable {
        /// Queued, and the first since the last scheduled write: schedule one.
        case queuedFirst
        /// Queued behind others; a write is scheduled already.
        case queued
        /// Dropped: the connection has closed.
        case dropped
    }

    private var pushes: [QueuedPush<ServerFrame>] = []
    private var sequence: UInt64 = 0
    /// Whether a write task is scheduled on the event loop.
    private var scheduled = false
    private var closed = false

    /// Queues `push`, numbering it in queue order.
    mutating func enqueue(_ push: QueuedPush<ServerFrame>) -> EnqueueOutcome {
        guard !closed else { return .dropped }
        var push = push
        sequence &+= 1
        push.sequence = sequence
        pushes.append(push)
        guard !scheduled else { return .queued }
        scheduled = true
        return .queuedFirst
    }

    /// Moves everything queued into `taken` (which must be empty); `scheduled` when the scheduled
    /// write takes them (a later push then schedules a new one).
    mutating func take(into taken: inout [QueuedPush<ServerFrame>], scheduled: Bool) {
        if scheduled { self.scheduled = false }
        guard !pushes.isEmpty else { return }
        swap(&pushes, &taken)
    }

    /// Drops what is queued and refuses later pushes; returns how many were dropped.
    mutating func close() -> Int {
        closed = true
        defer { pushes = [] }
        return pushes.count
    }
}
