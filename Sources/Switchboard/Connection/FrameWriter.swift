import NIOCore
import NIOWebSocket
import SwitchboardDeflate

/// The outbound side of one connection, on its event loop: writes ``ServerFrame``s, holds them
/// while the channel is not writable, and coalesces flushes.
///
/// A frame's bytes (header included) are written below NIO's frame encoder, through the
/// encoder's own context, so a buffer shared by every member of a push is written as it is:
/// one write of one buffer. On a compressed connection (or without an encoder, in unit tests)
/// the frame's payload goes through the pipeline as a `WebSocketFrame`, for
/// ``PerMessageDeflateHandler`` to compress. While the channel is not writable, frames wait in
/// a queue of the writer's own, in order; ``write(_:)`` reports when they and the channel's
/// buffer exceed ``Configuration/maxOutboundBufferSize``, so the connection can be closed as a
/// slow consumer.
///
/// Replies are encoded straight into one buffer of the writer's (``write(encoding:)``), each
/// after its frame header: the replies to one read burst leave as one buffer, written at the
/// flush, before any other frame, or once it holds ``burstLimit`` bytes.
final class FrameWriter {
    /// The most bytes of replies gathered before they are written.
    static let burstLimit = 16 * 1024
    private let context: ChannelHandlerContext
    /// The context of NIO's `WebSocketFrameEncoder`; `nil` on a compressed connection or without
    /// that encoder.
    private let frameOutput: ChannelHandlerContext?
    private let metrics: ServerMetrics
    private let maxOutboundBufferSize: Int
    // Frames are held only while the channel is not writable: the queue is made when first
    // needed (most connections never need it).
    private var held: CircularBuffer<ServerFrame>?
    /// Replies encoded here and not yet written.
    private var burst: ByteBuffer?
    private var needsFlush = false
    private var flushScheduled = false
    /// The bytes of the frames held.
    private(set) var heldBytes = 0 { didSet { metrics.heldBytesChanged(from: oldValue, to: heldBytes) } }

    /// A writer for the handler at `context`; `isCompressed`: a ``PerMessageDeflateHandler``
    /// sits between it and the frame encoder.
    init(context: ChannelHandlerContext, isCompressed: Bool, metrics: ServerMetrics, maxOutboundBufferSize: Int) {
        self.context = context
        self.metrics = metrics
        self.maxOutboundBufferSize = maxOutboundBufferSize
        self.frameOutput = isCompressed ? nil : try? context.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
    }

    /// Writes `frame` (no flush), or holds it while the channel is not writable or others are
    /// held (to keep the order). Returns `false` when the bytes waiting for the peer now exceed
    /// ``Configuration/maxOutboundBufferSize``.
    func write(_ frame: ServerFrame) -> Bool {
        guard held?.isEmpty ?? true, context.channel.isWritable else {
            held.append(frame, initialCapacity: 4)
            heldBytes += frame.bytes.readableBytes
            return isWithinBound
        }
        emit(frame)
        return context.channel.isWritable || isWithinBound
    }

    /// Encodes `frame` after its header into the buffer of replies not yet written, and
    /// returns `true`; returns `false` (nothing written) while frames are held, the channel is
    /// not writable or the connection is compressed: the caller then writes a ``ServerFrame``.
    /// - Throws: `FrameError` when the frame cannot be encoded (nothing is written).
    func write(encoding frame: Frame) throws(FrameError) -> Bool {
        guard let frameOutput, held?.isEmpty ?? true, context.channel.isWritable else { return false }
        let size = FrameCodec.encodedSize(of: frame)
        var buffer = burst.take() ?? context.channel.allocator.buffer(capacity: max(1024, size + 10))
        do {
            try ServerFrame.append(frame, size: size, to: &buffer)
        } catch {
            if buffer.readableBytes > 0 { burst = buffer }  // the replies gathered before it stay
            throw error
        }
        needsFlush = true
        if buffer.readableBytes >= Self.burstLimit {
            frameOutput.write(NIOAny(buffer), promise: nil)
        } else {
            burst = buffer
        }
        return true
    }

    /// Writes the replies gathered so far (no flush).
    private func writeBurst() {
        guard let buffer = burst.take(), let frameOutput else { return }
        frameOutput.write(NIOAny(buffer), promise: nil)
    }

    /// Writes a control frame (ping, pong) at once: it may pass held frames.
    func writeControl(_ frame: WebSocketFrame) {
        writeBurst()
        context.write(NIOAny(frame), promise: nil)
        needsFlush = true
    }

    /// Writes held frames, in order, while the channel takes them; flushes.
    func writeHeld() {
        while context.channel.isWritable, let next = held?.popFirst() {
            heldBytes -= next.bytes.readableBytes
            emit(next)
        }
        flushIfNeeded()
    }

    /// Writes every held frame whatever the writability (the close frame follows them) and
    /// forgets any pending flush: the caller flushes.
    func writeAllHeld() {
        writeBurst()
        while let next = held?.popFirst() { emit(next) }
        heldBytes = 0
        needsFlush = false
    }

    /// Drops the held frames (a slow consumer's, or a closed connection's).
    func dropHeld() {
        held?.removeAll()
        heldBytes = 0
    }

    /// Flushes when something was written since the last flush.
    func flushIfNeeded() {
        guard needsFlush else { return }
        needsFlush = false
        writeBurst()
        context.flush()
    }

    /// Flushes once every write already queued on the event loop has run.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        let writer = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            writer.value.flushScheduled = false
            writer.value.flushIfNeeded()
        }
    }

    private func emit(_ frame: ServerFrame) {
        writeBurst()
        if let frameOutput {
            frameOutput.write(NIOAny(frame.bytes), promise: nil)
        } else {
            context.write(NIOAny(WebSocketFrame(fin: true, opcode: .binary, data: frame.payload)), promise: nil)
        }
        needsFlush = true
    }

    private var isWithinBound: Bool {
        let buffered = (try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0
        return buffered + heldBytes <= maxOutboundBufferSize
    }

    /// The bytes waiting for the peer: in the channel, and held here.
    var waitingBytes: (buffered: Int, held: Int) {
        ((try? context.channel.syncOptions?.getOption(.bufferedWritableBytes)) ?? 0, heldBytes)
    }
}

@available(*, unavailable)
extension FrameWriter: Sendable {}

extension Optional {
    /// Appends `element` to the queue, making the queue first when there is none.
    fileprivate mutating func append<Element>(_ element: Element, initialCapacity: Int) where Wrapped == CircularBuffer<Element> {
        if self == nil { self = CircularBuffer(initialCapacity: initialCapacity) }
        self!.append(element)
    }
}
