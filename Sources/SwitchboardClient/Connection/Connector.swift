import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import SwitchboardCore

/// Opens one WebSocket connection: TCP connect, the HTTP upgrade offering `switchboard.v1`
/// (with the bearer token), then the frame pipeline (fragment aggregation and ``FrameHandler``).
/// Raw connections (``RawWebSocketConnection``) offer no subprotocol and install their own handlers.
struct Connector: Sendable {
    let address: ServerAddress
    let configuration: ClientConfiguration
    let eventLoop: any EventLoop

    /// One attempt; never throws, the outcome says how it went.
    func connect(token: String?, sink: any FrameSink, generation: Int) async -> ConnectOutcome {
        await connect(token: token, subprotocol: FrameCodec.subprotocol) { [configuration] in
            [Self.aggregator(configuration), FrameHandler(sink: sink, generation: generation, configuration: configuration)]
        }
    }

    /// One attempt offering `subprotocol` (`nil`: none, and the server must select none); once
    /// upgraded, the handlers `makeHandlers` builds (on the event loop) follow NIO's frame decoder.
    func connect(
        token: String?, subprotocol: String?, makeHandlers: @escaping @Sendable () -> [any ChannelHandler]
    ) async -> ConnectOutcome {
        let upgraded = eventLoop.makePromise(of: UpgradeResult.self)
        let timeout = TimeAmount(configuration.connectTimeout)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { [address, configuration] channel in
                channel.eventLoop.makeCompletedFuture {
                    let result = try Self.configure(
                        channel, address: address, token: token, configuration: configuration, subprotocol: subprotocol, makeHandlers: makeHandlers
                    )
                    result.cascade(to: upgraded)
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            upgraded.fail(error)
            return .failed("could not connect to \(address.host):\(address.port): \(error)")
        }
        let deadline = eventLoop.scheduleTask(in: timeout) {
            upgraded.fail(ChannelError.connectTimeout(timeout))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            switch try await upgraded.futureResult.get() {
            case .upgraded:
                return .open(channel)
            case .wrongSubprotocol(let offered):
                channel.close(promise: nil)
                guard let subprotocol else { return .failed("the server selected subprotocol \(offered ?? "") though none was offered") }
                return .failed("the server did not select subprotocol \(subprotocol) (answered \(offered ?? "none"))")
            case .notUpgraded(let answer):
                let (status, reason) = try await answer.get()
                return .refused(status: status, reason: reason)
            }
        } catch {
            channel.close(promise: nil)
            return .failed("the WebSocket handshake with \(address.host):\(address.port) failed: \(error)")
        }
    }

    /// Joins fragments into whole messages within the configured size and fragment limits.
    static func aggregator(_ configuration: ClientConfiguration) -> NIOWebSocketFrameAggregator {
        NIOWebSocketFrameAggregator(
            minNonFinalFragmentSize: 0,
            maxAccumulatedFrameCount: configuration.maxFragmentsPerMessage,
            maxAccumulatedFrameSize: configuration.maxMessageSize
        )
    }

    private static func configure(
        _ channel: any Channel, address: ServerAddress, token: String?, configuration: ClientConfiguration,
        subprotocol: String?, makeHandlers: @escaping @Sendable () -> [any ChannelHandler]
    ) throws -> EventLoopFuture<UpgradeResult> {
        var headers = HTTPHeaders([("Host", address.hostHeader)])
        if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: address.target, headers: headers)
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(maxFrameSize: configuration.maxMessageSize) { channel, response in
            let selected = response.headers.first(name: "Sec-WebSocket-Protocol")
            guard selected == subprotocol else {
                return channel.eventLoop.makeSucceededFuture(.wrongSubprotocol(selected))
            }
            return channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(makeHandlers())
                return .upgraded
            }
        }
        let upgrade = NIOTypedHTTPClientUpgradeConfiguration<UpgradeResult>(upgradeRequestHead: head, upgraders: [upgrader]) { channel in
            channel.eventLoop.makeCompletedFuture {
                let answer = channel.eventLoop.makePromise(of: (status: Int, reason: String).self)
                try channel.pipeline.syncOperations.addHandler(RefusalReader(promise: answer))
                return .notUpgraded(answer.futureResult)
            }
        }
        var pipeline = NIOUpgradableHTTPClientPipelineConfiguration(upgradeConfiguration: upgrade)
        // Frames the server sends right after its 101 (e.g. a push on open) must not be lost.
        pipeline.leftOverBytesStrategy = .forwardBytes
        return try channel.pipeline.syncOperations.configureUpgradableHTTPClientPipeline(configuration: pipeline)
    }
}
