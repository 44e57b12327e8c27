import Synchronization
@testable import SwitchboardCore

/// A test harness: an in-memory transport's queue that collects pushes and delivers them
/// coalesced, one WebSocket message per connection per flush (the server queues per connection
/// instead, with the same ``QueuedPush/ordered(_:)`` rule).
///
/// On ``drain()`` (and so on ``flush()``), everything queued for one connection — its own
/// pushes, group pushes it is a recipient of, and global pushes — becomes one batch frame,
/// its pushes sorted by ``PushMessage/createdAt`` (ties keep the order they were queued in),
/// interleaving rooms and urls. A connection with a single push gets that push's frame
/// unbatched, the very bytes encoded for the push. Latest-class pushes to one connection with
/// the same key and room (latest-class) are merged: only the one queued last is delivered, at its own
/// created time. Connections that received only global pushes share one delivery. Pushes for
/// connections that are gone by flush time are dropped.
///
/// ``drain()`` is the synchronous core.
final class SocketQueue<Handle: Sendable>: Sendable {
    private typealias Queued = QueuedPush<[UInt8]>

    private struct State {
        var perConnection: [ConnectionID: [Queued]] = [:]
        var global: [Queued] = []
        var sequence: UInt64 = 0

        mutating func next() -> UInt64 {
            sequence += 1
            return sequence
        }
    }

    private let state = Mutex(State())
    private let connections: ConnectionRegistry<Handle>
    private let transport: any PushTransport<Handle>

    /// A queue that resolves connections in `connections` and delivers through `transport`.
    init(connections: ConnectionRegistry<Handle>, transport: any PushTransport<Handle>) {
        self.connections = connections
        self.transport = transport
    }

    /// Whether nothing is queued.
    var isEmpty: Bool {
        state.withLock { $0.perConnection.isEmpty && $0.global.isEmpty }
    }

    /// Queues a push to one connection, published to `room` (none by default). It is not kept
    /// in any history and carries offset 0: publish through ``PushPublisher`` and
    /// ``enqueue(_:)`` for that.
    /// - Throws: ``FrameError`` when the url or room cannot go on the wire.
    func send(connectionId: ConnectionID, message: PushMessage, room: RoomName? = nil) throws(FrameError) {
        let bytes = try message.encodedFrame(room: room)
        state.withLock { state in
            let queued = Queued(payload: bytes, createdAt: message.createdAt, sequence: state.next(), latestKey: message.delivery.flatMap { message.queueKey(of: $0, room: room) })
            state.perConnection[connectionId, default: []].append(queued)
        }
    }

    /// Queues a push for every connection open at flush time.
    /// - Throws: ``FrameError`` when the url cannot go on the wire.
    func sendGlobal(_ message: PushMessage) throws(FrameError) {
        let bytes = try message.encodedFrame()
        state.withLock { state in
            state.global.append(Queued(payload: bytes, createdAt: message.createdAt, sequence: state.next(), latestKey: message.delivery.flatMap { message.queueKey(of: $0, room: nil) }))
        }
    }

    /// Queues an already-encoded push (from ``PushPublisher``) for each of its recipients, and
    /// its position notice for the connection it left out; the bytes are shared, not copied.
    func enqueue(_ delivery: PushDelivery<Handle>) {
        state.withLock { state in
            let queued = Queued(payload: delivery.bytes, createdAt: delivery.createdAt, sequence: state.next(), latestKey: delivery.latestKey, historyRoom: delivery.historyRoom)
            for recipient in delivery.recipients {
                state.perConnection[recipient.id, default: []].append(queued)
            }
            if let notice = delivery.positionNotice {
                var own = queued
                own.payload = notice.bytes
                own.latestKey = nil
                state.perConnection[notice.recipient.id, default: []].append(own)
            }
        }
    }

    /// Drops everything queued.
    func clear() {
        state.withLock { $0 = State() }
    }

    /// Takes everything queued and returns what to write: one delivery per connection (one
    /// shared delivery for connections that only get global pushes). Synchronous; empties
    /// the queue.
    func drain() -> [PushDelivery<Handle>] {
        let taken = state.withLock { state in
            let taken = (state.perConnection, state.global)
            state.perConnection = [:]
            state.global = []
            return taken
        }
        let (perConnection, global) = taken
        var deliveries: [PushDelivery<Handle>] = []
        deliveries.reserveCapacity(perConnection.count + 1)
        if global.isEmpty {
            let (live, _) = connections.resolve(perConnection.keys)
            for recipient in live {
                guard let own = perConnection[recipient.id] else { continue }
                deliveries.append(Self.delivery(of: own, to: [recipient]))
            }
            return deliveries
        }
        var globalOnly: [Recipient<Handle>] = []
        for recipient in connections.allRecipients() {
            if let own = perConnection[recipient.id] {
                deliveries.append(Self.delivery(of: own + global, to: [recipient]))
            } else {
                globalOnly.append(recipient)
            }
        }
        if !globalOnly.isEmpty {
            deliveries.append(Self.delivery(of: global, to: globalOnly))
        }
        return deliveries
    }

    /// Drains the queue and hands the deliveries to the transport, synchronously (e.g. once
    /// per event-loop tick).
    func flushNow() {
        let deliveries = drain()
        if !deliveries.isEmpty { transport.deliver(deliveries) }
    }

    /// Drains the queue and hands the deliveries to the transport.
    func flush() async {
        flushNow()
    }

    /// One connection's (or one group's) queued pushes, merged, ordered and batched.
    private static func delivery(of queued: [Queued], to recipients: [Recipient<Handle>]) -> PushDelivery<Handle> {
        let kept = Queued.ordered(queued)
        let last = kept.last?.createdAt ?? 0
        if kept.count == 1, let only = kept.first {
            return PushDelivery(bytes: only.payload, recipients: recipients, createdAt: last)
        }
        return PushDelivery(bytes: FrameCodec.batch(ofEncoded: kept.map(\.payload)), recipients: recipients, createdAt: last)
    }
}
