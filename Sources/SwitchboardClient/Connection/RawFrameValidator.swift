import NIOCore
import NIOWebSocket

/// The RFC 6455 checks NIO leaves to the application, on each frame of a raw connection before
/// its fragments are joined: no reserved bits (a compressed message's RSV1 was cleared by
/// ``PerMessageDeflateHandler`` below when permessage-deflate was agreed), no reserved opcodes,
/// no masked frames from a server (§5.1), and text that is UTF-8, checked fragment by fragment so
/// a bad byte fails the connection at once (§8.1). A violation is passed on as a
/// ``RawFrameValidator/Violation`` error and every later frame is dropped.
final class RawFrameValidator: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    /// What was wrong with a frame; the close code it calls for is ``code``.
    enum Violation: Error {
        /// Reserved bits, a reserved opcode, or a masked frame: close code 1002.
        case protocolError
        /// Text that is not UTF-8: close code 1007.
        case invalidUTF8

        /// The close code the client fails the connection with.
        var code: WebSocketErrorCode {
            switch self {
            case .protocolError: .protocolError
            case .invalidUTF8: .dataInconsistentWithMessage
            }
        }
    }

    /// The text being received, while its fragments arrive; `nil` between messages or in a binary one.
    private var text: UTF8Stream?
    private var failed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        let frame = Self.unwrapInboundIn(data)
        do {
            try check(frame)
            context.fireChannelRead(data)
        } catch {
            failed = true
            context.fireErrorCaught(error)
        }
    }

    private func check(_ frame: WebSocketFrame) throws(Violation) {
        guard frame.reservedBits.isEmpty, frame.maskKey == nil else { throw .protocolError }
        switch frame.opcode {
        case .text:
            // An unfragmented text message takes the standard library's (faster) check.
            if frame.fin {
                guard String(validating: frame.data.readableBytesView, as: UTF8.self) != nil else { throw .invalidUTF8 }
                return
            }
            text = UTF8Stream()
            try feed(frame)
        case .continuation:
            try feed(frame)
        case .binary:
            text = nil
        case .ping, .pong, .connectionClose:
            return
        default:
            throw .protocolError
        }
    }

    private func feed(_ frame: WebSocketFrame) throws(Violation) {
        // Order mistakes (a continuation without a start) are the aggregator's to report.
        guard var stream = text else { return }
        let valid = frame.data.withUnsafeReadableBytes { stream.feed($0) }
        guard valid, !frame.fin || stream.isComplete else { throw .invalidUTF8 }
        text = frame.fin ? nil : stream
    }
}

@available(*, unavailable)
extension RawFrameValidator: Sendable {}
