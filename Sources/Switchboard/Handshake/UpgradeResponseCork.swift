import NIOCore

/// Sends the 101 answer and the connection's first frame in one write.
///
/// It sits below the HTTP encoder from the start of every connection and passes everything
/// through, until the handshake is accepted (``hold()``): from then on the bytes written (the
/// 101, then the HELLO, or the close frame of a refusal by close) are gathered into one
/// buffer, each write reported done at once, and flushes are held back. ``release()`` writes
/// that buffer, flushes, and takes the handler out of the pipeline. The client gets the 101
/// and the HELLO in one TCP segment, and the server makes one write system call instead of
/// two. If the channel closes while holding, the gathered bytes are dropped with it.
final class UpgradeResponseCork: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var context: ChannelHandlerContext?
    private var holding = false
    private var held: ByteBuffer?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        held = nil
    }

    /// Gathers the bytes written from now on, until ``release()``.
    func hold() {
        holding = true
    }

    /// Writes what was gathered as one buffer, flushes, and leaves the pipeline.
    func release() {
        guard let context else { return }
        holding = false
        if let buffer = held {
            held = nil
            context.write(wrapOutboundOut(.byteBuffer(buffer)), promise: nil)
        }
        context.flush()
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard holding, case .byteBuffer(var buffer) = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        if held == nil {
            held = buffer
        } else {
            held!.writeBuffer(&buffer)
        }
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {
        if !holding { context.flush() }
    }
}

@available(*, unavailable)
extension UpgradeResponseCork: Sendable {}
