import NIOCore

/// Writes push deliveries to the server's WebSocket connections: the ``PushTransport`` of
/// ``Server``.
///
/// Each delivery's bytes go into one `ByteBuffer` shared by all its recipients (no copy per
/// recipient); recipients are grouped by event loop and written with one task per loop, where
/// each connection flushes once for everything it was given. A recipient whose connection has
/// closed is skipped.
public struct ConnectionPushTransport: PushTransport {
    /// A transport.
    public init() {}

    /// Writes each delivery's bytes to each of its recipients.
    public func deliver(_ deliveries: [PushDelivery<Connection>]) {
        var byLoop: [ObjectIdentifier: (loop: any EventLoop, writes: [(Connection, ByteBuffer)])] = [:]
        let allocator = ByteBufferAllocator()
        for delivery in deliveries where !delivery.recipients.isEmpty {
            let buffer = allocator.buffer(bytes: delivery.bytes)
            for recipient in delivery.recipients {
                let loop = recipient.handle.eventLoop
                byLoop[ObjectIdentifier(loop), default: (loop, [])].writes.append((recipient.handle, buffer))
            }
        }
        for (_, group) in byLoop {
            let writes = group.writes
            if group.loop.inEventLoop {
                for (connection, buffer) in writes { connection.writeOnEventLoop(buffer) }
            } else {
                group.loop.execute {
                    for (connection, buffer) in writes { connection.writeOnEventLoop(buffer) }
                }
            }
        }
    }
}
