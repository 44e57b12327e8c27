import NIOCore
import SwitchboardCore
import NIOWebSocket
import SwitchboardDeflate

/// The message path of a ``RawWebSocketConnection``, on the event loop after fragment
/// aggregation: hands each complete message to `respond` and writes its answers back (masked,
/// in order, before anything read later is handled), answers pings, validates the server's close
/// frame (RFC 6455 §7.4) and performs the close handshake, and fails the connection on protocol
/// errors with the close code they call for.
final class RawMessageHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// How long the client waits, after its close frame, for the server to close the TCP
    /// connection (the server closes first, §7.1.1) before closing it itself.
    static let closeGrace = TimeAmount.seconds(2)

    private let respond: @Sendable (RawWebSocketMessage) -> [RawWebSocketMessage]
    private let closed: EventLoopPromise<Int?>
    private var closeSent = false
    private var serverCloseCode: Int?

    init(respond: @escaping @Sendable (RawWebSocketMessage) -> [RawWebSocketMessage], closed: EventLoopPromise<Int?>) {
        self.respond = respond
        self.closed = closed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            guard !closeSent else { return }
            let message = RawWebSocketMessage(kind: frame.opcode == .text ? .text : .binary, bytes: Array(frame.data.readableBytesView))
            for answer in respond(message) {
                let opcode: WebSocketOpcode = answer.kind == .text ? .text : .binary
                write(context, opcode, context.channel.allocator.buffer(bytes: answer.bytes))
            }
        case .ping:
            guard !closeSent else { return }
            write(context, .pong, frame.data)
        case .connectionClose:
            guard !closeSent else {
                // Our close was answered: the handshake is complete.
                context.close(promise: nil)
                return
            }
            var body = frame.data
            let code = Self.replyCode(for: &body)
            if let raw = frame.data.getInteger(at: frame.data.readerIndex, as: UInt16.self) { serverCloseCode = Int(raw) }
            sendClose(context, code)
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case let violation as RawFrameValidator.Violation:
            sendClose(context, violation.code)
        case let error as PerMessageDeflateError:
            sendClose(context, error.closeCode)
        case NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge, NIOWebSocketFrameAggregator.Error.tooManyFragments:
            sendClose(context, .messageTooLarge)
        case is NIOWebSocketFrameAggregator.Error:
            sendClose(context, .protocolError)
        case is NIOWebSocketError:
            // NIO's protocol error handler already sent the close frame and closes the channel.
            closeSent = true
        default:
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed.succeed(serverCloseCode)
        context.fireChannelInactive()
    }

    private func write(_ context: ChannelHandlerContext, _ opcode: WebSocketOpcode, _ data: ByteBuffer) {
        context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(), data: data)), promise: nil)
    }

    /// Sends the close frame (once) and closes the TCP connection if the server has not after ``closeGrace``.
    private func sendClose(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode) {
        guard !closeSent else { return }
        closeSent = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)), promise: nil)
        let channel = context.channel
        context.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
    }

    /// The code to answer a server's close frame with (Core's ``CloseFrameRule``).
    static func replyCode(for body: inout ByteBuffer) -> WebSocketErrorCode {
        let code = CloseFrameRule.replyCode(forBody: body.readableBytesView)
        body.moveReaderIndex(forwardBy: body.readableBytes)
        return WebSocketErrorCode(codeNumber: Int(code))
    }
}

@available(*, unavailable)
extension RawMessageHandler: Sendable {}
