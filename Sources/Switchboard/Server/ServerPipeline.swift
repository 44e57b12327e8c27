import NIOCore
import NIOHTTP1
import NIOSSL
import NIOWebSocket
import SwitchboardDeflate

/// Sets up the pipeline of an accepted TCP connection: TLS first when configured
/// (``Configuration/tls``), NIO's HTTP/1.1 request decoder and response encoder, and the
/// ``HandshakeHandler``; then either the WebSocket connection's handlers (with
/// ``PerMessageDeflateHandler`` below them when compression was negotiated) or the plain HTTP
/// handlers.
///
/// Until it is an open WebSocket the connection is pending: it counts against
/// ``Configuration/maxPendingConnections`` and is closed at ``Configuration/handshakeTimeout``,
/// whatever it is doing (sending its request head or body, waiting for the upgrade hook, being
/// answered as plain HTTP).
enum ServerPipeline {
    static func configure(_ channel: any Channel, components: ServerComponents, tls: NIOSSLContext?) throws {
        let configuration = components.configuration
        let pipeline = channel.pipeline.syncOperations
        if let tls { try pipeline.addHandler(NIOSSLServerHandler(context: tls)) }
        let pendingNumber = components.pending.admit(channel)
        let deadline = channel.eventLoop.scheduleTask(in: configuration.handshakeTimeout) {
            channel.close(promise: nil)
        }
        let pending = components.pending
        let slots = components.slots
        let outcome = NIOLoopBoundBox(HandshakeOutcome.undecided, eventLoop: channel.eventLoop)
        // One callback per connection: not holding a closed channel until its deadline comes,
        // and a reserved or accepted connection's slot given back.
        channel.closeFuture.whenComplete { _ in
            deadline.cancel()
            pending.finish(pendingNumber)
            if outcome.value.holdsSlot { slots.release() }
            outcome.value = .closed
        }
        let encoder = HTTPResponseEncoder()
        let decoder = ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes))
        try pipeline.addHandler(encoder)
        try pipeline.addHandler(decoder)
        try pipeline.addHandler(
            HandshakeHandler(decoder: decoder, encoder: encoder, components: components, outcome: outcome) { channel, outcome, deflate in
                try installWebSocket(on: channel, components: components, outcome: outcome, deflate: deflate)
                if case .accepted = outcome {
                    deadline.cancel()
                    pending.finish(pendingNumber)
                }
            }
        )
    }

    /// Puts the WebSocket handlers in place once the 101 is written: NIO's frame codec, then
    /// the connection's handlers, or the ``RefusalCloseHandler`` of a refusal told as a close
    /// (which stays pending: the deadline and the pending bound keep holding it).
    private static func installWebSocket(on channel: any Channel, components: ServerComponents, outcome: HandshakeOutcome, deflate: DeflateParameters?) throws {
        let configuration = components.configuration
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(WebSocketFrameEncoder())
        let reader = WebSocketFrameReader(maxFrameSize: configuration.maxFrameSize)
        try pipeline.addHandler(reader)
        if case .refusedByClose(let refusal) = outcome {
            try pipeline.addHandler(RefusalCloseHandler(refusal: refusal, closeTimeout: configuration.closeHandshakeTimeout))
            return
        }
        guard case .accepted(let identity, let clientId, let features) = outcome else {
            throw ChannelError.inappropriateOperationForState
        }
        var compressed = false
        if let deflate, let settings = configuration.compression {
            try pipeline.addHandler(
                PerMessageDeflateHandler(parameters: deflate, settings: settings, maxMessageSize: configuration.maxMessageSize, cache: components.deflateCache)
            )
            compressed = true
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
        let handler = ConnectionHandler(connection: connection, components: components, isCompressed: compressed)
        try pipeline.addHandler(handler)
        // Nothing between the reader and the handler: frames go to it by a direct call.
        if !compressed { reader.deliver(to: handler) }
        handler.openFeatures(features)
    }
}
