import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization
import SwitchboardCore
import SwitchboardDeflate

/// A WebSocket server that accepts the `switchboard.v1` upgrade with a given
/// `Sec-WebSocket-Extensions` answer, optionally compresses what it sends (the server's
/// ``PerMessageDeflateHandler``, every message), writes the given binary messages on open,
/// and records the close codes the client sends.
final class ScriptedServer: Sendable {
    private let channel: any Channel
    private let recorder: CloseRecorder

    private init(channel: any Channel, recorder: CloseRecorder) {
        self.channel = channel
        self.recorder = recorder
    }

    var url: String { "ws://127.0.0.1:\(channel.localAddress?.port ?? 0)/ws" }
    /// The close codes received, in order.
    var closeCodes: [Int] { recorder.codes.withLock { $0 } }

    /// Starts a server answering `extensions` (nothing when `nil`); with `compressing`, what it
    /// writes goes through a server ``PerMessageDeflateHandler`` with those parameters.
    static func start(extensions: String?, compressing: DeflateParameters? = nil, sendOnOpen: [[UInt8]] = []) async throws -> ScriptedServer {
        let recorder = CloseRecorder()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                let upgrader = NIOWebSocketServerUpgrader(
                    maxFrameSize: 1 << 24,
                    shouldUpgrade: { channel, _ in
                        var headers = HTTPHeaders([("Sec-WebSocket-Protocol", FrameCodec.subprotocol)])
                        if let extensions { headers.add(name: "Sec-WebSocket-Extensions", value: extensions) }
                        return channel.eventLoop.makeSucceededFuture(headers)
                    },
                    upgradePipelineHandler: { channel, _ in
                        channel.eventLoop.makeCompletedFuture {
                            if let compressing {
                                try channel.pipeline.syncOperations.addHandler(
                                    PerMessageDeflateHandler(
                                        role: .server, parameters: compressing, minimumMessageSize: 0, level: 9, memoryLevel: 9, maxMessageSize: 1 << 24
                                    )
                                )
                            }
                            try channel.pipeline.syncOperations.addHandler(Script(recorder: recorder, sendOnOpen: sendOnOpen))
                        }
                    }
                )
                return channel.pipeline.configureHTTPServerPipeline(withServerUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return ScriptedServer(channel: channel, recorder: recorder)
    }

    func stop() async throws {
        try await channel.close()
    }

    private final class CloseRecorder: Sendable {
        let codes = Mutex<[Int]>([])
    }

    /// Writes the messages on open; records close codes and answers the close.
    private final class Script: ChannelInboundHandler, Sendable {
        typealias InboundIn = WebSocketFrame
        typealias OutboundOut = WebSocketFrame
        let recorder: CloseRecorder
        let sendOnOpen: [[UInt8]]

        init(recorder: CloseRecorder, sendOnOpen: [[UInt8]]) {
            self.recorder = recorder
            self.sendOnOpen = sendOnOpen
        }

        func handlerAdded(context: ChannelHandlerContext) {
            for message in sendOnOpen {
                let frame = WebSocketFrame(fin: true, opcode: .binary, data: context.channel.allocator.buffer(bytes: message))
                context.write(Self.wrapOutboundOut(frame), promise: nil)
            }
            context.flush()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = Self.unwrapInboundIn(data)
            guard frame.opcode == .connectionClose else { return }
            let body = frame.unmaskedData
            let code = body.getInteger(at: body.readerIndex, as: UInt16.self).map(Int.init) ?? 1005
            recorder.codes.withLock { $0.append(code) }
            context.writeAndFlush(Self.wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: body)))
                .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }
}
