import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization
import SwitchboardCore

/// The baseline: a bare SwiftNIO WebSocket client for Switchboard frames — one channel, a
/// promise per request id kept on the event loop, nothing else.
final class BareClient: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<ResponseHandler>
    private let nextID = Mutex<UInt32>(0)

    private init(channel: any Channel, handler: NIOLoopBound<ResponseHandler>) {
        self.channel = channel
        self.handler = handler
    }

    static func connect(port: Int) async throws -> BareClient {
        let upgraded = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let handlerBox = Mutex<NIOLoopBound<ResponseHandler>?>(nil)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                let upgrader = NIOWebSocketClientUpgrader(maxFrameSize: 1 << 20) { channel, _ in
                    let handler = ResponseHandler()
                    handlerBox.withLock { $0 = NIOLoopBound(handler, eventLoop: channel.eventLoop) }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(handler)
                        upgraded.succeed()
                    }
                }
                return channel.pipeline.addHTTPClientHandlers(withClientUpgrade: (upgraders: [upgrader], completionHandler: { _ in }))
            }
            .connect(host: "127.0.0.1", port: port).get()
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: "127.0.0.1:\(port)")
        headers.add(name: "Sec-WebSocket-Protocol", value: FrameCodec.subprotocol)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/ws", headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        try await channel.writeAndFlush(HTTPClientRequestPart.end(nil)).get()
        try await upgraded.futureResult.get()
        guard let handler = handlerBox.withLock({ $0 }) else { throw ChannelError.inappropriateOperationForState }
        return BareClient(channel: channel, handler: handler)
    }

    /// Sends one request and waits for the response's body.
    func request(_ method: Method, _ url: String, _ body: [UInt8]) async throws -> ArraySlice<UInt8> {
        let id = nextID.withLock { id in
            id &+= 1
            return id
        }
        let bytes = try FrameCodec.encode(.request(RequestFrame(method: method, id: id, url: url, data: body[...])))
        let channel = channel
        let handler = handler
        return try await channel.eventLoop.flatSubmit {
            let promise = channel.eventLoop.makePromise(of: ArraySlice<UInt8>.self)
            handler.value.pending[id] = promise
            let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: channel.allocator.buffer(bytes: bytes))
            channel.writeAndFlush(frame, promise: nil)
            return promise.futureResult
        }.get()
    }

    /// Completes each request's promise with its response's body.
    final class ResponseHandler: ChannelInboundHandler {
        typealias InboundIn = WebSocketFrame

        var pending: [UInt32: EventLoopPromise<ArraySlice<UInt8>>] = [:]

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let frame = unwrapInboundIn(data)
            guard frame.opcode == .binary, case .response(let response)? = try? FrameCodec.decode(Array(frame.unmaskedData.readableBytesView)) else { return }
            pending.removeValue(forKey: response.id)?.succeed(response.data)
        }
    }
}
