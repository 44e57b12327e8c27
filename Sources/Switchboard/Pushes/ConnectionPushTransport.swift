import NIOCore

/// Writes push deliveries to the server's WebSocket connections: the ``PushTransport`` of
/// ``Server``.
///
/// Each delivery's bytes go into one `ByteBuffer` shared by all its recipients (no copy per
/// recipient); recipients are grouped by event loop and handed over with one task per loop.
/// On its loop, each connection queues what it was given and, once per event-loop tick,
/// writes everything queued as one WebSocket message (a batch in created-time order when
/// there are several) with one write and one flush. A recipient whose connection has closed
/// is skipped.
public struct ConnectionPushTransport: PushTransport {
    /// A transport.
    public init() {}

    /// Writes each delivery's bytes to each of its recipients.
    public func deliver(_ deliveries: [PushDelivery<Connection>]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, pushes: [(Connection, QueuedPush<ByteBuffer>)])] = [:]
        let allocator = ByteBufferAllocator()
        for delivery in deliveries where !delivery.recipients.isEmpty {
            let queued = QueuedPush(payload: allocator.buffer(bytes: delivery.bytes), createdAt: delivery.createdAt, sequence: 0, ephemeralKey: delivery.ephemeralKey)
            for recipient in delivery.recipients {
                let loop = recipient.handle.eventLoop
                byLoop[ObjectIdentifier(loop), default: (loop, [])].pushes.append((recipient.handle, queued))
            }
        }
        for (_, group) in byLoop {
            let pushes = group.pushes
            if group.loop.inEventLoop {
                for (connection, push) in pushes { connection.queuePushOnEventLoop(push) }
            } else {
                group.loop.execute {
                    for (connection, push) in pushes { connection.queuePushOnEventLoop(push) }
                }
            }
        }
    }
}
