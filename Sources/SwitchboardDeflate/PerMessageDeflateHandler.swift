import CompressNIO
import NIOCore
import NIOWebSocket

/// permessage-deflate (RFC 7692) for one connection, between NIO's WebSocket frame codec and
/// the connection's handler; the same handler serves the server and the client (``DeflateRole``).
///
/// Inbound, a message whose first frame has RSV1 set is inflated fragment by fragment; each
/// fragment goes on with RSV1 clear, so the handler above joins and checks messages as if they
/// had come uncompressed. On the server, inflated frames carry an all-zero masking key: the
/// payload is already unmasked, and the frame still reads as a client's masked frame (unmasked
/// client frames pass through untouched, for the handler above to refuse); on the client,
/// masked frames from the server pass through untouched the same way. A message that inflates
/// beyond `maxMessageSize` bytes, or is not valid DEFLATE data, is reported with a
/// ``PerMessageDeflateError`` through `errorCaught` (1009 and 1007). The inflater keeps its
/// window across messages unless the peer's no-context-takeover parameter was agreed.
///
/// Outbound, every final text or binary frame of at least `minimumMessageSize` bytes is
/// compressed into one frame with RSV1 set (keeping its masking key); control frames, smaller
/// messages and fragmented ones go out as they are, and nothing is compressed when the agreed
/// window for this end is 8 bits (zlib cannot compress with it). With this end's
/// no-context-takeover the compressor is reset after each message, so the same input always
/// compresses to the same bytes: given a ``SharedDeflateCache``, those are shared by every
/// connection with the same window.
package final class PerMessageDeflateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    package typealias InboundIn = WebSocketFrame
    package typealias InboundOut = WebSocketFrame
    package typealias OutboundIn = WebSocketFrame
    package typealias OutboundOut = WebSocketFrame

    /// Where the inbound side stands between frames.
    private enum Inbound {
        case betweenMessages
        /// A compressed message, with the bytes it inflated to so far.
        case compressedMessage(inflated: Int)
        /// An uncompressed message arriving in fragments.
        case uncompressedMessage
        /// Inflating failed; data frames are dropped until the connection closes.
        case failed
    }

    /// The bytes every compressed message's deflate stream ends with, removed by the sender
    /// (RFC 7692 §7.2.1).
    private static let streamTail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
    private static let unmaskedKey: WebSocketMaskingKey = [0, 0, 0, 0]

    private let role: DeflateRole
    /// The window this end compresses with; below 9 nothing is compressed.
    private let windowBits: Int
    /// This end resets its compressor after every message.
    private let ownNoContextTakeover: Bool
    /// The peer resets its compressor after every message, so the inflater may too.
    private let peerNoContextTakeover: Bool
    private let minimumMessageSize: Int
    private let level: Int32
    private let memoryLevel: Int32
    private let maxMessageSize: Int
    private let cache: SharedDeflateCache?
    private var inbound = Inbound.betweenMessages
    /// Created with the first compressed message each way.
    private var inflater: ZlibDecompressor?
    private var deflater: ZlibCompressor?

    /// A handler for `role` with the agreed `parameters`: messages of at least
    /// `minimumMessageSize` bytes are compressed at zlib `level` and `memoryLevel` (each
    /// clamped to 1…9), inflated messages may reach `maxMessageSize` bytes, and `cache` (used
    /// only with this end's no-context-takeover) shares compressed bytes between connections.
    package init(
        role: DeflateRole, parameters: DeflateParameters, minimumMessageSize: Int, level: Int, memoryLevel: Int, maxMessageSize: Int,
        cache: SharedDeflateCache? = nil
    ) {
        self.role = role
        switch role {
        case .server:
            (windowBits, ownNoContextTakeover, peerNoContextTakeover) = (parameters.serverMaxWindowBits, parameters.serverNoContextTakeover, parameters.clientNoContextTakeover)
        case .client:
            (windowBits, ownNoContextTakeover, peerNoContextTakeover) = (parameters.clientMaxWindowBits, parameters.clientNoContextTakeover, parameters.serverNoContextTakeover)
        }
        self.minimumMessageSize = minimumMessageSize
        self.level = Int32(min(max(level, 1), 9))
        self.memoryLevel = Int32(min(max(memoryLevel, 1), 9))
        self.maxMessageSize = maxMessageSize
        self.cache = ownNoContextTakeover ? cache : nil
    }

    // MARK: Inbound

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        guard (frame.maskKey != nil) == (role == .server), !frame.rsv2, !frame.rsv3 else {
            return context.fireChannelRead(data)
        }
        switch (frame.opcode, inbound) {
        case (.text, .failed), (.binary, .failed), (.continuation, .failed):
            return
        case (.text, .betweenMessages), (.binary, .betweenMessages):
            if frame.rsv1 {
                inflate(frame, inflatedSoFar: 0, context: context)
            } else {
                if !frame.fin { inbound = .uncompressedMessage }
                context.fireChannelRead(data)
            }
        case (.continuation, .compressedMessage(let inflated)) where !frame.rsv1:
            inflate(frame, inflatedSoFar: inflated, context: context)
        case (.continuation, .uncompressedMessage):
            if frame.fin { inbound = .betweenMessages }
            context.fireChannelRead(data)
        default:
            // Control frames, and frames out of order or with RSV1 where it may not be, which
            // the handler above refuses.
            context.fireChannelRead(data)
        }
    }

    private func inflate(_ frame: WebSocketFrame, inflatedSoFar: Int, context: ChannelHandlerContext) {
        var input = frame.unmaskedData
        if frame.fin { input.writeBytes(Self.streamTail) }
        let limit = maxMessageSize - inflatedSoFar
        let output: ByteBuffer
        do {
            let inflater = try self.inflater ?? ZlibDecompressor(algorithm: .deflate, windowSize: 15)
            self.inflater = inflater
            guard let inflated = try Self.inflate(&input, with: inflater, limit: limit, allocator: context.channel.allocator) else {
                throw PerMessageDeflateError.messageTooLarge(limit: maxMessageSize)
            }
            output = inflated
            if frame.fin && peerNoContextTakeover { try inflater.reset() }
        } catch let error as PerMessageDeflateError {
            return fail(error, context: context)
        } catch {
            return fail(.corruptData, context: context)
        }
        inbound = frame.fin ? .betweenMessages : .compressedMessage(inflated: inflatedSoFar + output.readableBytes)
        let inflated = WebSocketFrame(fin: frame.fin, opcode: frame.opcode, maskKey: role == .server ? Self.unmaskedKey : nil, data: output)
        context.fireChannelRead(Self.wrapInboundOut(inflated))
    }

    /// Inflates `input`, growing the output as needed but never beyond `limit` + 1 bytes:
    /// `nil` when it inflates to more than `limit` bytes.
    private static func inflate(_ input: inout ByteBuffer, with inflater: ZlibDecompressor, limit: Int, allocator: ByteBufferAllocator) throws -> ByteBuffer? {
        guard limit >= 0 else { return nil }
        var output = allocator.buffer(capacity: min(limit + 1, max(1024, input.readableBytes * 4)))
        guard input.readableBytes > 0 else { return output }
        while true {
            if output.writableBytes == 0 {
                guard output.readableBytes <= limit else { return nil }
                output.reserveCapacity(minimumWritableBytes: min(max(output.readableBytes, 1024), limit + 1 - output.readableBytes))
            }
            do {
                try inflater.inflate(from: &input, to: &output)
                break
            } catch let error as CompressNIOError where error == .bufferOverflow {
                continue
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                break
            }
        }
        return output.readableBytes <= limit ? output : nil
    }

    private func fail(_ error: PerMessageDeflateError, context: ChannelHandlerContext) {
        inbound = .failed
        inflater = nil
        context.fireErrorCaught(error)
    }

    // MARK: Outbound

    package func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = Self.unwrapOutboundIn(data)
        guard frame.fin, frame.opcode == .binary || frame.opcode == .text, frame.reservedBits.isEmpty, windowBits >= 9,
            frame.data.readableBytes >= minimumMessageSize
        else {
            return context.write(data, promise: promise)
        }
        guard let compressed = compress(frame.data) else {
            return context.write(data, promise: promise)
        }
        let out = WebSocketFrame(fin: true, rsv1: true, opcode: frame.opcode, maskKey: frame.maskKey, data: compressed)
        context.write(Self.wrapOutboundOut(out), promise: promise)
    }

    /// The message's deflated bytes without the stream tail, or `nil` to send it as it is.
    private func compress(_ payload: ByteBuffer) -> ByteBuffer? {
        if let cache, let shared = cache.compressed(payload, windowBits: windowBits) { return shared }
        do {
            let deflater = try self.deflater ?? ZlibCompressor(
                algorithm: .deflate,
                configuration: ZlibConfiguration(windowSize: Int32(windowBits), compressionLevel: level, memoryLevel: memoryLevel)
            )
            self.deflater = deflater
            var input = payload
            var output = try input.compressStream(with: deflater, flush: .sync)
            guard input.readableBytes == 0, output.readableBytes >= 4,
                output.readableBytesView.suffix(4).elementsEqual(Self.streamTail)
            else {
                throw CompressNIOError.internalError
            }
            output.moveWriterIndex(to: output.writerIndex - 4)
            guard ownNoContextTakeover else { return output }
            try deflater.reset()
            // Without shared history the message may as well go uncompressed when that is
            // no larger.
            guard output.readableBytes < payload.readableBytes else { return nil }
            cache?.store(output, for: payload, windowBits: windowBits)
            return output
        } catch {
            // The compressor's state is unknown: the next message starts a new one (a fresh
            // window is always valid for the peer's inflater).
            self.deflater = nil
            return nil
        }
    }
}

@available(*, unavailable)
extension PerMessageDeflateHandler: Sendable {}
