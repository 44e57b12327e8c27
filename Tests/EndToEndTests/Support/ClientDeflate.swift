import CompressNIO
import NIOCore
import NIOWebSocket
import Synchronization

/// Counts what crosses a test client's socket.
final class WireStatistics: Sendable {
    private let counts = Mutex<(inboundBytes: Int, compressedMessages: Int)>((0, 0))

    /// Bytes received from the socket (below TLS, so encrypted ones when over `wss://`).
    var inboundBytes: Int { counts.withLock { $0.inboundBytes } }
    /// Messages that arrived compressed (RSV1 set).
    var compressedMessages: Int { counts.withLock { $0.compressedMessages } }

    func received(bytes: Int) { counts.withLock { $0.inboundBytes += bytes } }
    func receivedCompressed() { counts.withLock { $0.compressedMessages += 1 } }
}

/// The first handler of a test client's pipeline: counts inbound bytes.
final class WireCounter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let statistics: WireStatistics

    init(statistics: WireStatistics) { self.statistics = statistics }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        statistics.received(bytes: Self.unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }
}

/// The client's side of permessage-deflate for tests: inflates the server's compressed
/// messages (one frame each, as the server sends them) with a window kept across messages,
/// and checks the server never compresses a fragment or a control frame.
final class ClientDeflate: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    enum Failure: Error { case unexpectedCompressedFrame, inflateFailed }

    private let statistics: WireStatistics
    private let inflater: ZlibDecompressor

    init(statistics: WireStatistics) throws {
        self.statistics = statistics
        self.inflater = try ZlibDecompressor(algorithm: .deflate, windowSize: 15)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var frame = Self.unwrapInboundIn(data)
        guard frame.rsv1 else { return context.fireChannelRead(data) }
        guard frame.fin, frame.opcode == .binary || frame.opcode == .text else {
            return context.fireErrorCaught(Failure.unexpectedCompressedFrame)
        }
        statistics.receivedCompressed()
        var input = frame.data
        input.writeBytes([0, 0, 0xFF, 0xFF])
        do {
            frame.data = try Self.inflate(&input, with: inflater, allocator: context.channel.allocator)
        } catch {
            return context.fireErrorCaught(Failure.inflateFailed)
        }
        frame.rsv1 = false
        context.fireChannelRead(Self.wrapInboundOut(frame))
    }

    static func inflate(_ input: inout ByteBuffer, with inflater: ZlibDecompressor, allocator: ByteBufferAllocator) throws -> ByteBuffer {
        var output = allocator.buffer(capacity: max(1024, input.readableBytes * 8))
        while true {
            if output.writableBytes == 0 { output.reserveCapacity(minimumWritableBytes: output.readableBytes) }
            do {
                try inflater.inflate(from: &input, to: &output)
                return output
            } catch let error as CompressNIOError where error == .bufferOverflow {
                continue
            } catch let error as CompressNIOError where error == .inputBufferOverflow {
                return output
            }
        }
    }

    /// `bytes` deflated as one permessage-deflate message (stream tail removed), by a fresh
    /// compressor.
    static func deflated(_ bytes: [UInt8], allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        let deflater = try ZlibCompressor(algorithm: .deflate, configuration: ZlibConfiguration(windowSize: 15))
        var input = allocator.buffer(bytes: bytes)
        var output = try input.compressStream(with: deflater, flush: .sync)
        output.moveWriterIndex(to: output.writerIndex - 4)
        return output
    }
}

extension WebSocketTestClient {
    /// Sends `payload` as one masked frame with RSV1 set: a compressed message (or, split by
    /// the caller, its first fragment).
    func sendCompressed(_ payload: ByteBuffer, opcode: WebSocketOpcode = .binary, fin: Bool = true) async throws {
        let frame = WebSocketFrame(fin: fin, rsv1: opcode != .continuation, opcode: opcode, maskKey: .random(), data: payload)
        try await channel.writeAndFlush(frame).get()
    }
}
