import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization
import SwitchboardCore

/// A WebSocket server that accepts the `switchboard.v1` upgrade and then never answers
/// anything, pings included: a dead peer behind a live TCP connection.
final class SilentServer: Sendable {
    private let channel: any Channel
    private let accepted: Counter

    private init(channel: any Channel, accepted: Counter) {
        self.channel = channel
        self.accepted = accepted
    }

    /// How many WebSocket connections it accepted.
    var connections: Int { accepted.value.withLock { $0 } }

    var url: String { "ws://127.0.0.1:\(channel.localAddress?.port ?? 0)/ws" }

    static func start() async throws -> SilentServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    shouldUpgrade: { channel, _ in
                        channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", FrameCodec.subprotocol)]))
                    },
                    upgradePipelineHandler: { channel, _ in
                        counter.increment()
                        return channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Swallow()) }
                    }
                )
                return channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return SilentServer(channel: channel, accepted: counter)
    }

    func stop() async throws {
        try await channel.close()
    }

    /// Reads and drops every frame.
    private final class Swallow: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    }

    private final class Counter: Sendable {
        let value = Mutex(0)
        func increment() { value.withLock { $0 += 1 } }
    }
}
