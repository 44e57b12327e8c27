import NIOCore
import Synchronization

/// Counts the bytes a client's socket reads and writes, as the first handler of its pipeline.
final class WireCounter: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    private let counts = Mutex<(read: Int, written: Int)>((0, 0))

    /// Bytes read from the socket so far.
    var read: Int { counts.withLock { $0.read } }
    /// Bytes written to the socket so far.
    var written: Int { counts.withLock { $0.written } }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Self.unwrapInboundIn(data).readableBytes
        counts.withLock { $0.read += bytes }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = Self.unwrapOutboundIn(data).readableBytes
        counts.withLock { $0.written += bytes }
        context.write(data, promise: promise)
    }
}
