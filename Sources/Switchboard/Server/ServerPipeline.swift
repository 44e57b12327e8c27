import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import SwitchboardDeflate

/// Sets up the pipeline of an accepted TCP connection: TLS first when configured
/// (``Configuration/tls``), the ``UpgradeResponseCork`` (the 101 and the first frame in one
/// write), HTTP/1.1 with the WebSocket upgrader, then either the WebSocket
/// connection's handlers (with ``PerMessageDeflateHandler`` below them when compression was
/// negotiated) or the plain HTTP handler.
///
/// Until it is an open WebSocket the connection is pending: it counts against
/// ``Configuration/maxPendingConnections`` and is closed at ``Configuration/handshakeTimeout``,
/// whatever it is doing (sending its request head or body, waiting for the upgrade hook, being
/// answered as plain HTTP).
enum ServerPipeline {
    static func configure(_ channel: any Channel, components: ServerComponents, tls: NIOSSLContext?) throws {
        let configuration = components.configuration
        if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
        let corkHandler = UpgradeResponseCork()
        try channel.pipeline.syncOperations.addHandler(corkHandler)
        let cork = NIOLoopBound(corkHandler, eventLoop: channel.eventLoop)
        let pendingNumber = components.pending.admit(channel)
        let deadline = channel.eventLoop.scheduleTask(in: configuration.handshakeTimeout) {
            channel.close(promise: nil)
        }
        let pending = components.pending
        let slots = components.slots
        let outcome = NIOLoopBoundBox(HandshakeOutcome.undecided, eventLoop: channel.eventLoop)
        // One callback per connection: not holding a closed channel until its deadline comes,
        // and an accepted connection's slot given back.
        channel.closeFuture.whenComplete { _ in
            deadline.cancel()
            pending.finish(pendingNumber)
            if outcome.value.holdsSlot { slots.release() }
        }
        let opened: @Sendable () -> Void = {
            deadline.cancel()
            pending.finish(pendingNumber)
        }
        let deflate = NIOLoopBoundBox(DeflateParameters?.none, eventLoop: channel.eventLoop)
        let upgrader = WebSocketUpgrader(
            upgrader: NIOTypedWebSocketServerUpgrader<Void>(
                maxFrameSize: configuration.maxFrameSize,
                enableAutomaticErrorHandling: false,
                shouldUpgrade: { channel, head in
                    HandshakeEvaluation.evaluate(head, channel: channel, components: components, outcome: outcome).map { headers in
                        // A 101 follows: it leaves with the first frame, in one write.
                        if headers != nil { cork.value.hold() }
                        guard var headers, let settings = configuration.compression,
                            let parameters = DeflateParameters.negotiate(offers: head.headers["Sec-WebSocket-Extensions"], settings: settings)
                        else { return headers }
                        deflate.value = parameters
                        headers.add(name: "Sec-WebSocket-Extensions", value: parameters.responseHeader)
                        return headers
                    }
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        if case .refusedByClose(let refusal) = outcome.value {
                            // Still pending: the deadline and the pending bound keep holding it.
                            let handler = RefusalCloseHandler(refusal: refusal, closeTimeout: configuration.closeHandshakeTimeout)
                            try channel.pipeline.syncOperations.addHandler(handler)
                            cork.value.release()
                            return
                        }
                        try installWebSocket(on: channel, components: components, outcome: outcome.value, deflate: deflate.value)
                        cork.value.release()
                        opened()
                    }
                }
            ),
            components: components,
            outcome: outcome
        )
        let staticFolder = configuration.staticFilesFolder
        let pipelineConfiguration = NIOUpgradableHTTPServerPipelineConfiguration(
            upgradeConfiguration: NIOTypedHTTPServerUpgradeConfiguration(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(PlainHTTPHandler(outcome: outcome, staticFilesFolder: staticFolder, routes: configuration.httpRoutes))
                    }
                }
            )
        )
        _ = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipelineConfiguration)
    }

    private static func installWebSocket(on channel: any Channel, components: ServerComponents, outcome: HandshakeOutcome, deflate: DeflateParameters?) throws {
        guard case .accepted(let identity, let clientId, let features) = outcome else {
            throw ChannelError.inappropriateOperationForState
        }
        let configuration = components.configuration
        let pipeline = channel.pipeline.syncOperations
        if let deflate, let settings = configuration.compression {
            try pipeline.addHandler(
                PerMessageDeflateHandler(parameters: deflate, settings: settings, maxMessageSize: configuration.maxMessageSize, cache: components.deflateCache)
            )
        }
        if configuration.rawEchoMode {
            try pipeline.addHandler(
                NIOWebSocketFrameAggregator(
                    minNonFinalFragmentSize: 0,
                    maxAccumulatedFrameCount: configuration.maxFragmentsPerMessage,
                    maxAccumulatedFrameSize: configuration.maxMessageSize
                )
            )
            try pipeline.addHandler(EchoHandler())
            return
        }
        // ConnectionHandler joins fragmented messages itself: no aggregator on the per-frame path.
        let connection = Connection(id: components.slots.nextID(), clientId: clientId, identity: identity, channel: channel, components: components)
        let handler = ConnectionHandler(connection: connection, components: components)
        try pipeline.addHandler(handler)
        handler.openFeatures(features)
    }
}
