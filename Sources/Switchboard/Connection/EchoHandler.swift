import NIOCore
import NIOWebSocket
import SwitchboardDeflate

/// The raw echo endpoint used for RFC 6455 conformance runs: echoes text and binary messages,
/// answers pings, validates UTF-8 and close frames, and performs the close handshake.
/// Bypasses the frame codec and routing.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    private var closing = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        guard !closing else {
            if frame.opcode == .connectionClose { context.close(promise: nil) }
            return
        }
        guard frame.reservedBits.isEmpty else { return fail(context, .protocolError) }
        switch frame.opcode {
        case .text:
            let payload = frame.unmaskedData
            guard String(validating: payload.readableBytesView, as: UTF8.self) != nil else {
                return fail(context, .dataInconsistentWithMessage)
            }
            context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .text, data: payload)), promise: nil)
        case .binary:
            context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .binary, data: frame.unmaskedData)), promise: nil)
        case .ping:
            guard frame.fin, frame.length <= 125 else { return fail(context, .protocolError) }
            context.write(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, data: frame.unmaskedData)), promise: nil)
        case .pong:
            guard frame.fin, frame.length <= 125 else { return fail(context, .protocolError) }
        case .connectionClose:
            guard frame.fin, frame.length <= 125 else { return fail(context, .protocolError) }
            var data = frame.unmaskedData
            let code = CloseFrameBody.replyCode(for: &data)
            closing = true
            context.writeCloseFrameAndClose(code: code)
        default:
            fail(context, .protocolError)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch error {
        case NIOWebSocketError.invalidFrameLength, NIOWebSocketFrameAggregator.Error.accumulatedFrameSizeIsTooLarge:
            fail(context, .messageTooLarge)
        case is NIOWebSocketError, is NIOWebSocketFrameAggregator.Error:
            fail(context, .protocolError)
        case let error as PerMessageDeflateError:
            fail(context, error.closeCode)
        default:
            context.close(promise: nil)
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketErrorCode) {
        guard !closing else { return }
        closing = true
        context.writeCloseFrameAndClose(code: code)
    }
}

@available(*, unavailable)
extension EchoHandler: Sendable {}
