import NIOCore
import NIOWebSocket

/// Reads the WebSocket frames of a connection's byte stream (RFC 6455 §5.2): it takes the
/// socket's reads and passes on each whole frame as a `WebSocketFrame` whose data is a slice
/// of the read (still masked, no copy).
///
/// It takes the place of NIO's `ByteToMessageHandler(WebSocketFrameDecoder)` and reports the
/// same errors, after which it reads nothing more: `NIOWebSocketError.invalidFrameLength` for a
/// frame above ``Configuration/maxFrameSize`` (told by its header, before its payload is
/// waited for), `.fragmentedControlFrame` and `.multiByteControlFrameLength` for a control
/// frame without FIN or above 125 bytes. Bytes of a frame not yet whole are kept, copied out
/// of the read buffer, until the rest arrives.
final class WebSocketFrameReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = WebSocketFrame

    private let maxFrameSize: Int
    /// The start of a frame not yet whole.
    private var pending: ByteBuffer?
    /// Set after an error, or once out of the pipeline: the rest of the stream is dropped.
    private var stopped = false
    /// The connection's handler when it is the next inbound handler: frames are handed to it
    /// by a direct call, not boxed and passed down the pipeline.
    private var connectionHandler: ConnectionHandler?

    init(maxFrameSize: Int) {
        self.maxFrameSize = maxFrameSize
    }

    /// Hands frames to `handler` directly from now on; call it only when `handler` is the
    /// handler right after this one.
    func deliver(to handler: ConnectionHandler) {
        connectionHandler = handler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !stopped else { return }
        var bytes = Self.unwrapInboundIn(data)
        if var kept = pending {
            pending = nil
            kept.writeBuffer(&bytes)
            bytes = kept
        }
        while !stopped {
            let frame: WebSocketFrame?
            do {
                frame = try Self.nextFrame(in: &bytes, maxFrameSize: maxFrameSize)
            } catch {
                stopped = true
                return context.fireErrorCaught(error)
            }
            guard let frame else { break }
            if let connectionHandler {
                connectionHandler.received(frame)
            } else {
                context.fireChannelRead(Self.wrapInboundOut(frame))
            }
        }
        if bytes.readableBytes > 0 && !stopped {
            var kept = context.channel.allocator.buffer(capacity: bytes.readableBytes)
            kept.writeBuffer(&bytes)
            pending = kept
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // A frame's handler may close the channel while this read's later frames wait.
        stopped = true
        pending = nil
        connectionHandler = nil
    }

    /// The next whole frame at the start of `bytes`, consumed from it, or `nil` (nothing
    /// consumed) when the frame is not whole yet.
    /// - Throws: `NIOWebSocketError` for a frame this reader refuses (see the type's summary).
    static func nextFrame(in bytes: inout ByteBuffer, maxFrameSize: Int) throws(NIOWebSocketError) -> WebSocketFrame? {
        let start = bytes.readerIndex
        guard let first = bytes.getInteger(at: start, as: UInt8.self), let second = bytes.getInteger(at: start + 1, as: UInt8.self) else { return nil }
        var headerSize = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard let word = bytes.getInteger(at: start + 2, as: UInt16.self) else { return nil }
            length = Int(word)
            headerSize += 2
        } else if length == 127 {
            guard let word = bytes.getInteger(at: start + 2, as: UInt64.self) else { return nil }
            guard word <= UInt64(maxFrameSize) else { throw .invalidFrameLength }
            length = Int(word)
            headerSize += 8
        }
        guard length <= maxFrameSize else { throw .invalidFrameLength }
        let fin = first & 0x80 != 0
        if first & 0x08 != 0 {
            guard fin else { throw .fragmentedControlFrame }
            guard length <= 125 else { throw .multiByteControlFrameLength }
        }
        var maskKey: WebSocketMaskingKey?
        if second & 0x80 != 0 {
            guard let key = bytes.getInteger(at: start + headerSize, as: UInt32.self) else { return nil }
            maskKey = Self.maskingKey(key)
            headerSize += 4
        }
        guard let data = bytes.getSlice(at: start + headerSize, length: length) else { return nil }
        bytes.moveReaderIndex(forwardBy: headerSize + length)
        return WebSocketFrame(
            fin: fin,
            rsv1: first & 0x40 != 0,
            rsv2: first & 0x20 != 0,
            rsv3: first & 0x10 != 0,
            opcode: WebSocketOpcode(encodedWebSocketOpcode: first & 0x0F)!,
            maskKey: maskKey,
            data: data
        )
    }
}

extension WebSocketFrameReader {
    /// The masking key whose four bytes, in network order, are `key`'s.
    ///
    /// NIO's public initialiser from bytes is generic and runs unspecialized here (four heap
    /// allocations per frame); its `random(using:)` is inlinable and draws the key as one
    /// full-range `UInt32`, which a generator that returns `key` makes exactly `key`.
    static func maskingKey(_ key: UInt32) -> WebSocketMaskingKey {
        var generator = FixedDraw(value: UInt64(key))
        return WebSocketMaskingKey.random(using: &generator)
    }

    /// A "random" number generator that always draws `value`.
    private struct FixedDraw: RandomNumberGenerator {
        let value: UInt64
        mutating func next() -> UInt64 { value }
    }
}

@available(*, unavailable)
extension WebSocketFrameReader: Sendable {}
