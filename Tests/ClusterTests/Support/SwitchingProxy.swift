import NIOCore
import NIOPosix
import Synchronization

/// A loopback TCP proxy whose upstream port can be switched: what a load balancer does when a
/// node dies. New connections go to the current upstream; open ones are not moved.
final class SwitchingProxy: Sendable {
    private let upstream: Box
    private let channel: any Channel

    /// The port clients connect to.
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(upstream: Box, channel: any Channel) {
        self.upstream = upstream
        self.channel = channel
    }

    static func start(upstream: Int) async throws -> SwitchingProxy {
        let target = Box(upstream)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                let port = target.port.withLock { $0 }
                target.accepted.withLock { $0.append(inbound) }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(host: "127.0.0.1", port: port)
                    .flatMapThrowing { outbound in
                        try inbound.pipeline.syncOperations.addHandler(Glue(peer: outbound))
                        try outbound.pipeline.syncOperations.addHandler(Glue(peer: inbound))
                        inbound.read()
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SwitchingProxy(upstream: target, channel: channel)
    }

    /// Sends new connections to `port`.
    func switchTo(_ port: Int) { upstream.port.withLock { $0 = port } }

    func close() async { try? await channel.close() }

    private final class Box: Sendable {
        let port: Mutex<Int>
        let accepted = Mutex<[any Channel]>([])
        init(_ port: Int) { self.port = Mutex(port) }
    }

    /// Cuts every connection made so far (both sides see the TCP connection close).
    func dropAll() {
        for channel in upstream.accepted.withLock({ $0 }) { channel.close(promise: nil) }
    }

    /// Copies bytes to the peer channel and closes it when this side closes.
    private final class Glue: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let peer: any Channel
        init(peer: any Channel) { self.peer = peer }

        func channelActive(context: ChannelHandlerContext) {
            context.read()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            peer.writeAndFlush(unwrapInboundIn(data), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            context.read()
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer.close(promise: nil)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
