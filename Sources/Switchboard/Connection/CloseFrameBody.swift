import NIOCore
import NIOWebSocket

/// Reads the body of a peer's close frame (RFC 6455 §5.5.1, §7.4).
enum CloseFrameBody {
    /// The code to echo in the reply to a close frame whose body is `data`: the peer's code
    /// when valid, 1000 when it sent none, 1002 when the body is malformed (a one-byte body, a
    /// reserved or unknown code, or a reason that is not UTF-8).
    static func replyCode(for data: inout ByteBuffer) -> WebSocketErrorCode {
        guard data.readableBytes > 0 else { return .normalClosure }
        guard data.readableBytes >= 2, let raw = data.readInteger(as: UInt16.self) else { return .protocolError }
        guard isValidCode(raw) else { return .protocolError }
        if data.readableBytes > 0 {
            let reason = Array(data.readableBytesView)
            guard String(validating: reason, as: UTF8.self) != nil else { return .protocolError }
        }
        return WebSocketErrorCode(codeNumber: Int(raw))
    }

    /// Whether `code` may appear in a close frame.
    static func isValidCode(_ code: UInt16) -> Bool {
        switch code {
        case 1000...1003, 1007...1011, 1012...1014: true
        case 3000...4999: true
        default: false
        }
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
