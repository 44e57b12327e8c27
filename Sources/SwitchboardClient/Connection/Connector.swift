import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket
import SwitchboardCore
import SwitchboardDeflate

/// Opens one WebSocket connection: TCP connect, TLS for `wss://` urls, the HTTP upgrade
/// offering `switchboard.v1` (with the bearer token and, when configured, permessage-deflate),
/// then the frame pipeline (``PerMessageDeflateHandler`` when compression was agreed, fragment
/// aggregation and ``FrameHandler``). Raw connections (``RawWebSocketConnection``) offer no
/// subprotocol and install their own handlers.
struct Connector: Sendable {
    let address: ServerAddress
    let configuration: ClientConfiguration
    let eventLoop: any EventLoop
    /// Made once from ``ClientConfiguration/tls`` for a `wss://` url; `nil` for `ws://`.
    let tls: NIOSSLContext?

    /// A connector for `address`.
    /// - Throws: ``SwitchboardClientError/invalidTLSConfiguration(_:)`` when a `wss://`
    ///   address's TLS context cannot be made from ``ClientConfiguration/tls``.
    init(address: ServerAddress, configuration: ClientConfiguration, eventLoop: any EventLoop) throws(SwitchboardClientError) {
        self.address = address
        self.configuration = configuration
        self.eventLoop = eventLoop
        guard address.isSecure else {
            tls = nil
            return
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration.tls.configuration)
        } catch {
            throw .invalidTLSConfiguration("the TLS context could not be made: \(error)")
        }
        if let name = Self.serverHostname(address, configuration) {
            do {
                _ = try NIOSSLClientHandler(context: context, serverHostname: name)
            } catch {
                throw .invalidTLSConfiguration("\(name) cannot be used as the TLS server name: \(error)")
            }
        }
        tls = context
    }

    /// The name the certificate is checked against and sent as SNI; `nil` for an IP address
    /// url without ``ClientTLSSettings/serverHostname`` (checked against the address).
    private static func serverHostname(_ address: ServerAddress, _ configuration: ClientConfiguration) -> String? {
        configuration.tls.serverHostname ?? (address.hostIsIPAddress ? nil : address.host)
    }

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
            .channelInitializer { [address, configuration, tls] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        let name = Self.serverHostname(address, configuration)
                        try channel.pipeline.syncOperations.addHandlers([
                            NIOSSLClientHandler(context: tls, serverHostname: name),
                            TLSFailureWatcher(host: name ?? address.host, failing: upgraded),
                        ])
                    }
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
            return .failed(.connectionFailed("could not connect to \(address.host):\(address.port): \(error)"))
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
            case .extensionRefused(let reason, let code):
                // Failed with a close frame once the upgrade is complete (RFC 6455 §7.1.7).
                var body = channel.allocator.buffer(capacity: 2)
                body.writeInteger(code)
                try? await channel.writeAndFlush(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: body)).get()
                channel.close(promise: nil)
                return .failed(.connectionFailed("the server's Sec-WebSocket-Extensions answer was refused: \(reason) (closed with \(code))"))
            case .wrongSubprotocol(let offered):
                channel.close(promise: nil)
                guard let subprotocol else {
                    return .failed(.connectionFailed("the server selected subprotocol \(offered ?? "") though none was offered"))
                }
                return .failed(.connectionFailed("the server did not select subprotocol \(subprotocol) (answered \(offered ?? "none"))"))
            case .notUpgraded(let answer):
                let (status, reason) = try await answer.get()
                return .refused(status: status, reason: reason)
            }
        } catch let failure as TLSHandshakeFailure {
            channel.close(promise: nil)
            return .failed(.tlsHandshakeFailed("with \(address.host):\(address.port): \(failure.reason)"))
        } catch {
            channel.close(promise: nil)
            return .failed(.connectionFailed("the WebSocket handshake with \(address.host):\(address.port) failed: \(error)"))
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

    /// The permessage-deflate parameters the server's `Sec-WebSocket-Extensions` answer agrees
    /// to under `offer`; `nil` when it answered none.
    /// - Throws: ``DeflateOffer/Refusal`` for an answer the client cannot accept (any extension
    ///   at all when none was offered: 1002).
    static func agreedCompression(_ answer: [String], offer: DeflateOffer?) throws(DeflateOffer.Refusal) -> DeflateParameters? {
        guard let offer else {
            guard ExtensionElement.parse(answer).isEmpty else {
                throw DeflateOffer.Refusal(code: 1002, reason: "the server answered with the extensions \(answer.joined(separator: ", ")) though none was offered")
            }
            return nil
        }
        return try offer.accept(answer)
    }

    private static func configure(
        _ channel: any Channel, address: ServerAddress, token: String?, configuration: ClientConfiguration,
        subprotocol: String?, makeHandlers: @escaping @Sendable () -> [any ChannelHandler]
    ) throws -> EventLoopFuture<UpgradeResult> {
        var headers = HTTPHeaders([("Host", address.hostHeader)])
        if let subprotocol { headers.add(name: "Sec-WebSocket-Protocol", value: subprotocol) }
        if let token { headers.add(name: "Authorization", value: "Bearer \(token)") }
        let offer = configuration.compression.map {
            DeflateOffer(
                clientMaxWindowBits: $0.clientMaxWindowBits, clientNoContextTakeover: $0.clientNoContextTakeover,
                serverNoContextTakeover: $0.serverNoContextTakeover, serverMaxWindowBits: $0.serverMaxWindowBits
            )
        }
        if let offer { headers.add(name: "Sec-WebSocket-Extensions", value: offer.header) }
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: address.target, headers: headers)
        let upgrader = NIOTypedWebSocketClientUpgrader<UpgradeResult>(maxFrameSize: configuration.maxMessageSize) { channel, response in
            let selected = response.headers.first(name: "Sec-WebSocket-Protocol")
            guard selected == subprotocol else {
                return channel.eventLoop.makeSucceededFuture(.wrongSubprotocol(selected))
            }
            let agreed: DeflateParameters?
            do throws(DeflateOffer.Refusal) {
                agreed = try Self.agreedCompression(response.headers["Sec-WebSocket-Extensions"], offer: offer)
            } catch {
                return channel.eventLoop.makeSucceededFuture(.extensionRefused(reason: error.reason, code: error.code))
            }
            return channel.eventLoop.makeCompletedFuture {
                if let agreed, let settings = configuration.compression {
                    try channel.pipeline.syncOperations.addHandler(
                        PerMessageDeflateHandler(
                            role: .client, parameters: agreed, minimumMessageSize: settings.minimumMessageSize, level: settings.level,
                            memoryLevel: settings.memoryLevel, maxMessageSize: configuration.maxMessageSize
                        )
                    )
                }
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
