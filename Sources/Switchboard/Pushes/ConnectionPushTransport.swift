import NIOCore

/// Writes push deliveries to the server's WebSocket connections: the `PushTransport` of
/// ``Server``.
///
/// Each delivery's bytes go into one `ByteBuffer` shared by all its recipients (no copy per
/// recipient), queued on each recipient at once (a lock per connection), so the order of
/// calls is the order each connection writes in; recipients with nothing queued before are
/// grouped by event loop and get one write task per loop. On its loop, each connection
/// writes everything queued as one WebSocket message (a batch in created-time order, each
/// room's history frames in offset order, when there are several) with one write and one
/// flush. A delivery's position notice goes to its one connection the same way. A recipient
/// whose connection has closed is skipped.
public struct ConnectionPushTransport: PushTransport {
    /// A transport.
    public init() {}

    /// Queues each delivery's bytes on each of its recipients, in the order given (call it
    /// under the publisher's lock to keep offsets in order), then schedules one write task per
    /// event loop for the connections that had nothing queued.
    public func deliver(_ deliveries: [PushDelivery<Connection>]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, connections: [Connection])] = [:]
        let allocator = ByteBufferAllocator()
        func queue(_ push: QueuedPush<ByteBuffer>, on connection: Connection) {
            guard connection.enqueue(push) else { return }
            byLoop[ObjectIdentifier(connection.eventLoop), default: (connection.eventLoop, [])].connections.append(connection)
        }
        for delivery in deliveries {
            if !delivery.recipients.isEmpty {
                let queued = QueuedPush(
                    payload: allocator.buffer(bytes: delivery.bytes), createdAt: delivery.createdAt, sequence: 0,
                    latestKey: delivery.latestKey, historyRoom: delivery.historyRoom
                )
                for recipient in delivery.recipients { queue(queued, on: recipient.handle) }
            }
            if let notice = delivery.positionNotice {
                let queued = QueuedPush(
                    payload: allocator.buffer(bytes: notice.bytes), createdAt: delivery.createdAt, sequence: 0, latestKey: nil,
                    historyRoom: delivery.historyRoom
                )
                queue(queued, on: notice.recipient.handle)
            }
        }
        for (_, group) in byLoop {
            let connections = group.connections
            group.loop.execute {
                for connection in connections { connection.writeQueuedPushes() }
            }
        }
    }
}
