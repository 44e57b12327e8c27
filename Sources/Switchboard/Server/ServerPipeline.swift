import NIOCore
import NIOHTTP1
import NIOWebSocket

/// Sets up the pipeline of an accepted TCP connection: HTTP/1.1 with the WebSocket upgrader,
/// then either the WebSocket connection's handlers or the plain HTTP handler.
///
/// Until it is an open WebSocket the connection is pending: it counts against
/// ``Configuration/maxPendingConnections`` and is closed at ``Configuration/handshakeTimeout``,
/// whatever it is doing (sending its request head or body, waiting for the upgrade hook, being
/// answered as plain HTTP).
enum ServerPipeline {
    static func configure(_ channel: any Channel, components: ServerComponents) throws {
        let configuration = components.configuration
        let pendingNumber = components.pending.admit(channel)
        let deadline = channel.eventLoop.scheduleTask(in: configuration.handshakeTimeout) {
            channel.close(promise: nil)
        }
        // Not holding a closed channel until its deadline comes.
        channel.closeFuture.whenComplete { _ in deadline.cancel() }
        let pending = components.pending
        let opened: @Sendable () -> Void = {
            deadline.cancel()
            pending.finish(pendingNumber)
        }
        let outcome = NIOLoopBoundBox(HandshakeOutcome.undecided, eventLoop: channel.eventLoop)
        let upgrader = WebSocketUpgrader(
            upgrader: NIOTypedWebSocketServerUpgrader<Void>(
                maxFrameSize: configuration.maxFrameSize,
                enableAutomaticErrorHandling: false,
                shouldUpgrade: { channel, head in
                    HandshakeEvaluation.evaluate(head, channel: channel, components: components, outcome: outcome)
                },
                upgradePipelineHandler: { channel, _ in
                    channel.eventLoop.makeCompletedFuture {
                        try installWebSocket(on: channel, components: components, outcome: outcome.value)
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

    private static func installWebSocket(on channel: any Channel, components: ServerComponents, outcome: HandshakeOutcome) throws {
        guard case .accepted(let identity, let clientId, let features) = outcome else {
            throw ChannelError.inappropriateOperationForState
        }
        let configuration = components.configuration
        let pipeline = channel.pipeline.syncOperations
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
        let connection = Connection(id: components.connections.nextID(), clientId: clientId, identity: identity, channel: channel, components: components)
        try pipeline.addHandler(ConnectionHandler(connection: connection, components: components, features: features))
    }
}
