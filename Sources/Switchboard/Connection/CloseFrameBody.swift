import NIOCore
import SwitchboardCore
import NIOWebSocket

/// Reads the body of a peer's close frame with Core's ``CloseFrameRule``.
enum CloseFrameBody {
    /// The code to echo in the reply to a close frame whose body is `data`
    /// (``CloseFrameRule/replyCode(forBody:)``); `data` is consumed.
    static func replyCode(for data: inout ByteBuffer) -> WebSocketErrorCode {
        let code = CloseFrameRule.replyCode(forBody: data.readableBytesView)
        data.moveReaderIndex(forwardBy: data.readableBytes)
        return WebSocketErrorCode(codeNumber: Int(code))
    }
}

extension ChannelHandlerContext {
    /// Writes a close frame carrying `code` (no reason) and closes the channel once it is out:
    /// the last step of a close handshake, or a protocol failure.
    func writeCloseFrameAndClose(code: WebSocketErrorCode) {
        var data = channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        writeAndFlush(NIOAny(WebSocketFrame(fin: true, opcode: .connectionClose, data: data))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
