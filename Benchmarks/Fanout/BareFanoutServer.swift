import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Switchboard
import Synchronization

/// The baseline: a bare SwiftNIO WebSocket server (NIO's upgrader and frame codec, nothing
/// else) that writes one pre-encoded frame, the same bytes Switchboard's push encodes to, to
/// every channel with one `writeAndFlush` per channel, one task per event loop.
final class BareFanoutServer: FanoutServer {
    private let members = BareMembers()
    private let frame: ByteBuffer
    private let frameSize: Int
    private let listener = Mutex<(any Channel)?>(nil)
    private let byLoop = Mutex<[(loop: any EventLoop, channels: [any Channel])]>([])

    init(payload: Int, body kind: BodyKind) {
        let push = Frame.push(PushFrame(url: FanoutPush.url, room: FanoutPush.room.rawValue, data: FanoutPush.body(size: payload, kind: kind)[...]))
        let bytes = (try? FrameCodec.encode(push)) ?? []
        self.frame = ByteBuffer(bytes: bytes)
        self.frameSize = bytes.count
    }

    func start() async throws -> Int {
        let members = self.members
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 16,
                    shouldUpgrade: { channel, _ in
                        channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", FrameCodec.subprotocol)]))
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(BareMemberHandler(members: members))
                        }
                    }
                )
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in })
                    )
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        listener.withLock { $0 = channel }
        return channel.localAddress?.port ?? 0
    }

    var connectionCount: Int { members.count }

    func prepare() -> Int {
        var groups: [ObjectIdentifier: (loop: any EventLoop, channels: [any Channel])] = [:]
        let all = members.all
        for channel in all {
            groups[ObjectIdentifier(channel.eventLoop), default: (channel.eventLoop, [])].channels.append(channel)
        }
        byLoop.withLock { $0 = Array(groups.values) }
        return all.count
    }

    func broadcast(count: Int, delivery: FanoutDelivery) throws -> BroadcastAccount {
        let groups = byLoop.withLock { $0 }
        let frame = WebSocketFrame(fin: true, opcode: .binary, data: self.frame)
        var account = BroadcastAccount(frameSize: frameSize)
        for _ in 0..<count {
            for group in groups {
                let channels = group.channels
                group.loop.execute {
                    for channel in channels { channel.writeAndFlush(frame, promise: nil) }
                }
                account.recipients += channels.count
            }
            account.broadcasts += 1
        }
        return account
    }

    func stop() async {
        let channel = listener.withLock { $0 }
        try? await channel?.close()
        for member in members.all { member.close(promise: nil) }
    }
}

/// The bare server's upgraded channels.
final class BareMembers: Sendable {
    private let channels = Mutex<[any Channel]>([])

    func add(_ channel: any Channel) { channels.withLock { $0.append(channel) } }
    var count: Int { channels.withLock { $0.count } }
    var all: [any Channel] { channels.withLock { $0 } }
}

/// Registers an upgraded channel and ignores what the client sends.
final class BareMemberHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = WebSocketFrame

    private let members: BareMembers

    init(members: BareMembers) { self.members = members }

    func handlerAdded(context: ChannelHandlerContext) {
        members.add(context.channel)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
