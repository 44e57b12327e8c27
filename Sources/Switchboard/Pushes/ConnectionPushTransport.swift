import NIOCore

/// Writes push deliveries to the server's WebSocket connections: the `PushTransport` of
/// ``Server``.
///
/// Each delivery becomes one complete WebSocket frame (header and payload), built once and
/// shared by all its recipients: each recipient's queue gets a reference to it (a lock per
/// connection), so the order of calls is the order each connection writes in; recipients with
/// nothing queued before are grouped by event loop and get one write task per loop (per 256
/// connections, so a loop starts writing to a large room before all is queued). On its
/// loop, each connection writes everything queued as one WebSocket message (the shared frame
/// itself when alone; a batch in created-time order, each room's history frames in offset
/// order, when there are several) with one write and one flush. A recipient whose connection
/// has closed is skipped. A delivery's position notice goes to its one connection the same way.
public struct ConnectionPushTransport: PushTransport {
    /// A transport.
    public init() {}

    /// Queues each delivery's frame on each of its recipients, in the order given (call it
    /// under the publisher's lock to keep offsets in order), then schedules one write task per
    /// event loop for the connections that had nothing queued.
    public func deliver(_ deliveries: [PushDelivery<Connection>]) {
        var byLoop: [(loop: any EventLoop, connections: [Connection])] = []
        let allocator = ByteBufferAllocator()
        func queue(_ push: QueuedPush<ServerFrame>, on connection: Connection) {
            guard connection.enqueue(push) else { return }
            let loop = connection.eventLoop
            guard let index = byLoop.firstIndex(where: { $0.loop === loop }) else {
                byLoop.append((loop, [connection]))
                return
            }
            byLoop[index].connections.append(connection)
            if byLoop[index].connections.count == Self.writeTaskSize {
                // A large room: the loop starts writing while the rest is still being queued.
                Self.write(byLoop[index].connections, on: loop)
                byLoop[index].connections = []
                byLoop[index].connections.reserveCapacity(Self.writeTaskSize)
            }
        }
        for delivery in deliveries {
            if !delivery.recipients.isEmpty {
                let queued = QueuedPush(
                    payload: ServerFrame(encoded: delivery.bytes, allocator: allocator), createdAt: delivery.createdAt, sequence: 0,
                    latestKey: delivery.latestKey, historyRoom: delivery.historyRoom
                )
                for recipient in delivery.recipients { queue(queued, on: recipient.handle) }
            }
            if let notice = delivery.positionNotice {
                let queued = QueuedPush(
                    payload: ServerFrame(encoded: notice.bytes, allocator: allocator), createdAt: delivery.createdAt, sequence: 0,
                    latestKey: nil, historyRoom: delivery.historyRoom
                )
                queue(queued, on: notice.recipient.handle)
            }
        }
        for (loop, connections) in byLoop where !connections.isEmpty { Self.write(connections, on: loop) }
    }

    /// The most connections one write task serves: a push to a larger room is written by
    /// several tasks per loop, the first starting while the rest is still being queued.
    static let writeTaskSize = 256

    /// One task on `loop` that writes what is queued on each of `connections`.
    private static func write(_ connections: [Connection], on loop: any EventLoop) {
        loop.execute {
            for connection in connections { connection.writeQueuedPushes() }
        }
    }
}
