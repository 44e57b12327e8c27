import NIOCore
import NIOWebSocket

/// The only handler of a WebSocket upgraded to tell a refusal (``RefusalByClose``): it sends the
/// close frame at once, processes no frame the client sends, and closes the connection when the
/// client answers the close, or after ``Configuration/closeHandshakeTimeout``. The connection
/// stays pending meanwhile (bounded by ``Configuration/handshakeTimeout`` and
/// ``Configuration/maxPendingConnections``) and never holds a connection slot.
final class RefusalCloseHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private let refusal: HandshakeRefusal
    private let closeTimeout: TimeAmount

    init(refusal: HandshakeRefusal, closeTimeout: TimeAmount) {
        self.refusal = refusal
        self.closeTimeout = closeTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        var data = context.channel.allocator.buffer(capacity: 2 + RefusalByClose.maxReasonBytes)
        data.writeInteger(RefusalByClose.closeCode(for: refusal.status))
        data.writeString(RefusalByClose.closeReason(refusal.reason))
        context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: data)), promise: nil)
        let channel = context.channel
        let timeout = context.eventLoop.scheduleTask(in: closeTimeout) { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { _ in timeout.cancel() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Only the client's close counts; any other frame is dropped unread.
        if Self.unwrapInboundIn(data).opcode == .connectionClose {
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RefusalCloseHandler: Sendable {}
