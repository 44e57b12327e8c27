import NIOCore
import NIOWebSocket

/// The outbound path: pushes taken from the connection's queue, replies encoded straight
/// into their frame, both written through the ``FrameWriter``.
extension ConnectionHandler {
    /// Queues an encoded push on the connection; everything queued within one event-loop tick
    /// is written as one message (the frame itself when alone, else a batch in created-time
    /// order, each room's history frames in offset order, latest-class pushes merged) with one
    /// write and one flush, by a task scheduled once.
    func queuePush(_ push: QueuedPush<ServerFrame>) {
        guard machine.canWrite else { return components.observer.metrics.pushesDropped.increment() }
        connection.queue(push)
    }

    /// The scheduled write of the pushes queued on the connection.
    func writePushes() {
        writeQueuedPushes(scheduled: true)
        writer?.flushIfNeeded()
    }

    /// Writes the pushes queued so far as one message: the shared frame itself when alone,
    /// else a batch. Also called before a response is written, so the pushes a handler made
    /// before answering arrive before its response.
    func writeQueuedPushes(scheduled: Bool = false) {
        connection.takePushes(into: &taken, scheduled: scheduled)
        guard !taken.isEmpty else { return }
        defer { taken.removeAll(keepingCapacity: taken.count <= 64) }
        guard machine.canWrite, let context else { return components.observer.metrics.pushesDropped.increment(by: taken.count) }
        if taken.count == 1 {
            components.observer.metrics.pushesDelivered.increment()
            return send(taken[0].payload)
        }
        let queued = QueuedPush.ordered(taken)
        components.observer.metrics.pushesDelivered.increment(by: queued.count)
        send(ServerFrame(batchOf: queued.lazy.map(\.payload), allocator: context.channel.allocator))
    }

    func writeResponse(id: UInt32, _ reply: Reply, _ observation: RequestObservation? = nil) {
        writeQueuedPushes()
        encodeAndWrite(.response(ResponseFrame(id: id, status: reply.status, data: reply.body)))
        observation?.answered(reply.status)
    }

    func writeError(_ error: ErrorFrame) {
        encodeAndWrite(.error(error))
    }

    func encodeAndWrite(_ frame: Frame) {
        guard machine.canWrite, let context, let writer else { return }
        do {
            // Into the writer's buffer of replies when it takes it, else as a frame of its own.
            if try writer.write(encoding: frame) { return }
            send(try ServerFrame(encoding: frame, allocator: context.channel.allocator))
        } catch {
            components.logger.error("could not encode a frame", metadata: ["connection": "\(connection.id)", "error": "\(error)"])
        }
    }

    /// Writes (or holds) a frame, and closes a slow consumer once too much waits for it.
    func send(_ frame: ServerFrame) {
        guard let writer, !writer.write(frame) else { return }
        closeSlowConsumer(writer)
    }

    /// Closes a slow consumer with 1013 once the bytes waiting for it, in the channel and
    /// held here, exceed ``Configuration/maxOutboundBufferSize``. The held messages are
    /// dropped, so the close frame only waits behind what the channel already has (about
    /// ``Configuration/outboundHighWaterMark``): a client that reads again gets it.
    func closeSlowConsumer(_ writer: FrameWriter) {
        let limit = components.configuration.maxOutboundBufferSize
        let waiting = writer.waitingBytes
        components.observer.metrics.slowConsumerCloses.increment()
        components.logger.warning(
            "closing slow consumer",
            metadata: ["connection": "\(connection.id)", "bufferedBytes": "\(waiting.buffered)", "heldBytes": "\(waiting.held)"]
        )
        writer.dropHeld()
        close(code: Self.tryAgainLater, reason: "slow consumer: more than \(limit) bytes waiting")
    }
}
