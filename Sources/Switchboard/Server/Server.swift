import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import Synchronization

/// A Switchboard server: WebSocket connections on SwiftNIO whose request frames are answered
/// by a `Responder` (usually a `Router`).
///
/// ```swift
/// let server = Server(router: router, configuration: .init(host: "127.0.0.1", port: 8080))
/// try await server.run()   // until cancelled, or a ServiceGroup's graceful shutdown
/// ```
///
/// Shutdown (task cancellation or graceful shutdown) stops accepting, lets the requests in
/// flight finish and closes every connection with 1001, within
/// ``Configuration/shutdownDeadline``.
public final class Server: Service, Sendable {
    /// The settings the server was created with.
    public let configuration: Configuration
    private let components: ServerComponents
    private let eventLoopGroup: any EventLoopGroup
    private let listening = Mutex(ListeningState())

    /// A server answering requests with `router`.
    /// - Parameters:
    ///   - responder: Answers request frames: a `Router`, or any other `Responder`. A `Router`
    ///     without its own `unhandledError` reporter gets one that logs to `logger`.
    ///   - configuration: Address, limits and timeouts.
    ///   - authentication: Bearer-token verification at the handshake and for the in-band
    ///     credential refresh (``CredentialRefresh``); `nil` accepts anonymous connections.
    ///     The built-in `/_switchboard/…` routes (``ReservedRoutes``) are answered before
    ///     `router`.
    ///   - upgrade: A last say on each handshake, after the server's own checks.
    ///   - onMessage: Receives the clients' one-way `message` frames.
    ///   - rooms: The rooms pushes are published to; every connection joins its client room
    ///     and its user's room on open and leaves every room on close. Its
    ///     `RoomAccessPolicy` decides client-requested joins and which rooms are auth-gated.
    ///   - features: The feature plugins clients may ask for at the handshake
    ///     (`?features=presence@board:7:presence`), e.g. `FeatureSet([Presence()])`.
    ///   - cluster: The cluster bus when this server is one node of several (e.g.
    ///     `SwitchboardCluster`'s `RedisClusterBus`); `nil` (the default) for one node alone.
    ///   - logger: Where the server logs.
    ///   - eventLoopGroup: The event loops serving connections; the shared NIO singleton by
    ///     default.
    public init(
        router responder: some Responder,
        configuration: Configuration = Configuration(),
        authentication: TokenAuthentication? = nil,
        upgrade: UpgradeHook? = nil,
        onMessage: MessageHandler? = nil,
        rooms: RoomRegistry = RoomRegistry(),
        features: FeatureSet = FeatureSet([]),
        cluster: (any ClusterBus<Connection>)? = nil,
        logger: Logger = Logger(label: "switchboard.server"),
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.components = ServerComponents(
            configuration: configuration,
            responder: Self.reportingUnhandledErrors(responder, to: logger),
            authentication: authentication,
            upgradeHook: upgrade,
            messageHandler: onMessage,
            rooms: rooms,
            features: features,
            cluster: cluster,
            logger: logger
        )
    }

    /// A `Router` whose errors answered 500 are logged at error level with the request's
    /// method, url, id and connection, unless it reports them somewhere already; any other
    /// responder as it is.
    private static func reportingUnhandledErrors(_ responder: some Responder, to logger: Logger) -> any Responder {
        guard var router = responder as? Router, router.configuration.unhandledError == nil else { return responder }
        router.configuration.unhandledError = { request, error in
            logger.error(
                "unhandled error answered 500",
                metadata: [
                    "method": "\(request.method)", "url": "\(request.url)", "id": "\(request.id)",
                    "connection": "\(request.connection.id)", "error": "\(String(reflecting: error))",
                ]
            )
        }
        return router
    }

    /// The open connections by id and user, with the ``Connection`` as each one's handle.
    public var registry: ConnectionRegistry<Connection> { components.registry }

    /// The rooms of this node.
    public var rooms: RoomRegistry { components.rooms }

    /// The feature plugins connections may open at the handshake.
    public var features: FeatureSet { components.features }

    /// Turns pushes into deliveries over ``registry`` and ``rooms`` (hand them to
    /// ``pushTransport``).
    public var publisher: PushPublisher<Connection> { components.publisher }

    /// Writes deliveries to the connections.
    public var pushTransport: ConnectionPushTransport { components.pushTransport }

    /// Pushes `message` to `target` now: encoded once, the same bytes queued for every live
    /// recipient; each connection writes what it was given within one event-loop tick as one
    /// message. With a cluster bus, the push goes to every node with recipients and this
    /// node's recipients get it once the bus has placed it (after one Redis round trip).
    /// - Returns: the ids of the connections it was queued for; always empty with a cluster
    ///   bus, where queueing happens after return.
    /// - Throws: `FrameError` when the message's url is not a valid frame url.
    @discardableResult
    public func push(_ message: PushMessage, to target: PushTarget) throws(FrameError) -> [ConnectionID] {
        let (recipients, failed) = components.publish([Push(message, to: target)], logsFailures: false)
        if let (_, error) = failed.first { throw error }
        return recipients
    }

    /// Pushes `message` to one connection, published to its client room; `push(message, to: .connection(id))`.
    @discardableResult
    public func sendToIndividual(_ id: ConnectionID, _ message: PushMessage) throws(FrameError) -> [ConnectionID] {
        try push(message, to: .connection(id))
    }

    /// Pushes `message` to every member of `room` but `excluded` (typically the sender);
    /// `push(message, to: .room(room, excluding: excluded))`.
    @discardableResult
    public func sendToGroup(_ room: RoomName, _ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> [ConnectionID] {
        try push(message, to: .room(room, excluding: excluded))
    }

    /// Pushes `message` to every connection of this node but `excluded`;
    /// `push(message, to: .everyone(excluding: excluded))`.
    @discardableResult
    public func broadcast(_ message: PushMessage, excluding excluded: ConnectionID? = nil) throws(FrameError) -> [ConnectionID] {
        try push(message, to: .everyone(excluding: excluded))
    }

    /// Closes every connection of a user with 1008 and `reason` (e.g. after a password change);
    /// with a cluster bus, on every node.
    /// - Returns: the ids of the connections closed on this node.
    @discardableResult
    public func disconnect(user userId: String, reason: String = "credentials revoked") -> [ConnectionID] {
        if let cluster = components.cluster { return cluster.disconnect(user: userId, reason: reason) }
        return ServerComponents.disconnectLocally(userId, reason: reason, registry: registry, rooms: rooms)
    }

    /// The bound port while the server listens (the real one when configured with port 0).
    public var port: Int? { listening.withLock { $0.port } }

    /// Waits until the server listens and returns its port.
    /// - Throws: ``ServerError/cannotListen(host:port:reason:)`` when `run()` could not
    ///   listen, or ``ServerError/stopped``.
    public func waitUntilListening() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let immediate = listening.withLock { $0.wait(continuation) }
            if let immediate { continuation.resume(with: immediate) }
        }
    }

    /// The open connections.
    public var connections: [Connection] { components.registry.allRecipients().map(\.handle) }

    /// The open connection with `id`, if any.
    public func connection(_ id: ConnectionID) -> Connection? { components.registry.get(id)?.handle }

    /// Serves until the task is cancelled or a graceful shutdown is signalled, then shuts down
    /// gracefully and returns.
    /// - Throws: ``ServerError/cannotListen(host:port:reason:)`` when the address cannot be
    ///   bound (e.g. the port is taken); ``ServerError/invalidTLSConfiguration(reason:)`` when
    ///   ``Configuration/tls`` is unusable; ``ServerError/alreadyStarted`` on a second call.
    public func run() async throws {
        let started = listening.withLock { state -> Bool in
            guard case .notStarted = state.phase else { return false }
            return true
        }
        guard started else { throw ServerError.alreadyStarted }
        let components = self.components
        let configuration = self.configuration
        let highWaterMark = max(1, configuration.outboundHighWaterMark)
        let receiveAllocator = AdaptiveRecvByteBufferAllocator(
            minimum: 64, initial: min(max(64, configuration.initialReceiveBufferSize), 65536), maximum: 65536
        )
        let tls: NIOSSLContext?
        do {
            tls = try configuration.tls.map { try NIOSSLContext(configuration: $0.configuration) }
        } catch {
            let failure = ServerError.invalidTLSConfiguration(reason: "\(error)")
            resume(listening.withLock { $0.transition(to: .failed(failure)) }, with: .failure(failure))
            throw failure
        }
        let serverChannel: any Channel
        do {
            serverChannel = try await ServerBootstrap(group: eventLoopGroup)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        // Set here, synchronously: the bootstrap's child options each cost a future.
                        if let options = channel.syncOptions {
                            try options.setOption(.socketOption(.tcp_nodelay), value: 1)
                            try options.setOption(.writeBufferWaterMark, value: .init(low: highWaterMark / 2, high: highWaterMark))
                            try options.setOption(.recvAllocator, value: receiveAllocator)
                        }
                        try ServerPipeline.configure(channel, components: components, tls: tls)
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
        } catch {
            let failure = ServerError.listenFailure(host: configuration.host, port: configuration.port, error: error)
            resume(listening.withLock { $0.transition(to: .failed(failure)) }, with: .failure(failure))
            throw failure
        }
        let port = serverChannel.localAddress?.port ?? configuration.port
        components.logger.info("Switchboard listening on \(tls == nil ? "ws" : "wss")://\(configuration.host):\(port)\(configuration.webSocketPath)")
        resume(listening.withLock { $0.transition(to: .listening(port: port)) }, with: .success(port))

        await withTaskCancellationOrGracefulShutdownHandler {
            try? await serverChannel.closeFuture.get()
        } onCancelOrGracefulShutdown: {
            serverChannel.close(promise: nil)
        }
        await drain()
        _ = listening.withLock { $0.transition(to: .stopped) }
        components.logger.info("Switchboard stopped")
    }

    /// Closes every connection gracefully, then forcibly once the deadline has passed.
    private func drain() async {
        components.slots.stopAccepting()
        let open = connections
        components.pending.closeAll()
        components.logger.info("shutting down", metadata: ["connections": "\(open.count)"])
        for connection in open { connection.beginShutdown() }
        let deadline = NIODeadline.now() + configuration.shutdownDeadline
        let eventLoop = eventLoopGroup.any()
        while components.slots.count > 0 && NIODeadline.now() < deadline {
            // Not `Task.sleep`: this runs after cancellation, which would cut it short.
            try? await eventLoop.scheduleTask(in: .milliseconds(20)) {}.futureResult.get()
        }
        let remaining = connections
        if !remaining.isEmpty {
            components.logger.warning("shutdown deadline passed; closing connections", metadata: ["connections": "\(remaining.count)"])
            for connection in remaining { connection.forceClose() }
        }
    }

    private func resume(_ waiters: [CheckedContinuation<Int, any Error>], with result: Result<Int, any Error>) {
        for waiter in waiters { waiter.resume(with: result) }
    }
}
