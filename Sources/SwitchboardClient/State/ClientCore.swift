import NIOCore
import SwitchboardCore

/// The client's shared state, kept in one `Mutex` by ``SwitchboardClient``: the connection's
/// state and channel, the send queue, the requests in flight, the joined rooms and the state
/// observers.
struct ClientCore: Sendable {
    var state: ConnectionState = .idle
    /// The open channel, only while `state` is `.open`.
    var channel: (any Channel)?
    /// Counts connection attempts; frames and closes of an older connection are ignored.
    var generation = 0
    var nextToken: UInt64 = 0
    var nextWireID: UInt32 = 0
    var items: [UInt64: PendingItem] = [:]
    /// Tokens of queued items, oldest first.
    var queue: [UInt64] = []
    /// Wire id → token of each request in flight.
    var inFlight: [UInt32: UInt64] = [:]
    /// Rooms joined through ``SwitchboardClient/join(_:options:)``, rejoined after a reconnect.
    var rooms: [RoomName] = []
    var stateObservers: [Int: AsyncStream<ConnectionState>.Continuation] = [:]
    var nextObserverID = 0
    /// ``SwitchboardClient/connect()`` calls waiting for the socket to open.
    var openWaiters: [CheckedContinuation<Result<Void, SwitchboardClientError>, Never>] = []
    var connectionLoop: Task<Void, Never>?
    /// Why the client ended, once `state` is `.closing` or `.closed`.
    var endReason: SwitchboardClientError?
    /// The in-band credential refresh under way, shared by every request answered 401 meanwhile.
    var refresh: Task<Bool, Never>?
    /// The session of the current connection (HELLO, then the RESUME answer), and the
    /// connection generation it belongs to.
    var session: (value: ClientSession, generation: Int)?
    /// The session of the last connection that dropped: the next connection resumes it.
    var resumable: ClientSession?
    /// Per room positions and acknowledgements.
    var delivery = DeliveryTracker()
    /// The timer that sends the pending ACKs.
    var ackTimer: Scheduled<Void>?
    var recoveryObservers: [Int: AsyncStream<RecoveryReport>.Continuation] = [:]

    /// Whether the client has ended (closing or closed) and every call fails at once.
    var hasEnded: Bool { endReason != nil }

    mutating func makeToken() -> UInt64 {
        nextToken += 1
        return nextToken
    }

    /// A wire id not in flight, never 0.
    mutating func makeWireID() -> UInt32 {
        repeat { nextWireID &+= 1 } while nextWireID == 0 || inFlight[nextWireID] != nil
        return nextWireID
    }

    /// Moves to `state` and tells every observer.
    mutating func enter(_ newState: ConnectionState) {
        guard state != newState else { return }
        state = newState
        for observer in stateObservers.values { observer.yield(newState) }
    }

    /// Removes every item, queued or in flight, cancelling its timer; the caller completes them.
    mutating func removeAllItems() -> [PendingItem] {
        let all = items.sorted { $0.key < $1.key }.map(\.value)
        for item in all { item.timer?.cancel() }
        items = [:]
        queue = []
        inFlight = [:]
        return all
    }
}
