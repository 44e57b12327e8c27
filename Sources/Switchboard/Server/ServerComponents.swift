import Logging

/// The parts of a server every connection uses: settings, hooks, the responder, the table of
/// open connections and the registries pushes go through. Immutable once the server starts.
final class ServerComponents: Sendable {
    let configuration: Configuration
    let responder: any Responder
    /// The built-in `/_switchboard/…` routes, answered before ``responder``.
    let reservedRoutes: Router
    let authentication: TokenAuthentication?
    let upgradeHook: UpgradeHook?
    let messageHandler: MessageHandler?
    let connections: ConnectionTable
    /// The accepted connections that are not open WebSockets.
    let pending: PendingConnections
    let registry: ConnectionRegistry<Connection>
    let rooms: RoomRegistry
    let features: FeatureSet
    let publisher: PushPublisher<Connection>
    /// Every connection's session, and the parked ones waiting for a RESUME.
    let sessions: SessionRegistry
    let pushTransport: ConnectionPushTransport
    /// The other nodes, when this server is one node of a cluster; `nil` for one node alone.
    let cluster: (any ClusterBus<Connection>)?
    /// Compressed messages shared by connections without server context takeover.
    let deflateCache = SharedDeflateCache()
    let logger: Logger
    /// The server's metrics, and the request spans.
    let observer: RequestObserver

    init(
        configuration: Configuration,
        responder: any Responder,
        authentication: TokenAuthentication?,
        upgradeHook: UpgradeHook?,
        messageHandler: MessageHandler?,
        rooms: RoomRegistry = RoomRegistry(),
        features: FeatureSet = FeatureSet([]),
        cluster: (any ClusterBus<Connection>)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.responder = responder
        self.authentication = authentication
        self.upgradeHook = upgradeHook
        self.messageHandler = messageHandler
        self.connections = ConnectionTable(maxConnections: configuration.maxConnections, nodePrefix: cluster?.nodeId)
        self.pending = PendingConnections(limit: configuration.maxPendingConnections)
        let registry = ConnectionRegistry<Connection>()
        self.registry = registry
        self.rooms = rooms
        self.features = features
        let sessions = SessionRegistry(grace: .nanoseconds(configuration.sessionGrace.nanoseconds), shared: cluster)
        self.sessions = sessions
        let source: HistorySource? = cluster.map { bus -> HistorySource in { room in bus.loadHistory(of: room) } }
        self.publisher = PushPublisher(
            connections: registry, rooms: rooms, history: HistoryStore(policy: configuration.delivery, source: source),
            retains: { sessions.parkedSessionsHold($0) }, sessionOf: { sessions.sessionId(of: $0) }
        )
        let transport = ConnectionPushTransport()
        self.pushTransport = transport
        self.cluster = cluster
        self.reservedRoutes = ReservedRoutes.router(authentication: authentication, registry: registry, rooms: rooms, features: features)
        self.logger = logger
        self.observer = RequestObserver(configuration: configuration)
        cluster?.attach(ClusterAttachment(
            publisher: publisher, sessions: sessions, deliver: { transport.deliver($0) },
            disconnectLocally: { [registry] userId, reason in Self.disconnectLocally(userId, reason: reason, registry: registry, rooms: rooms) }
        ))
    }

    /// Closes this node's connections of a user with 1008 and `reason`.
    static func disconnectLocally(_ userId: String, reason: String, registry: ConnectionRegistry<Connection>, rooms: RoomRegistry) -> [ConnectionID] {
        let entries = registry.removeAll(ofUser: userId)
        for entry in entries {
            rooms.disconnect(entry.id)
            entry.handle.close(code: 1008, reason: reason)
        }
        return entries.map(\.id)
    }

    /// Publishes pushes in one go: each encoded once (with its room offset), and every
    /// recipient connection gets what this call holds for it in one message; queued under the
    /// publisher's lock, so each connection gets every room's pushes in offset order. A push
    /// whose url cannot go on the wire is logged and skipped.
    func publish(_ pushes: [Push]) {
        let failed = publishReturningFailures(pushes)
        for (push, error) in failed {
            logger.error("push not sent", metadata: ["url": "\(push.message.url)", "error": "\(error)"])
        }
    }

    /// Publishes pushes through the cluster bus when there is one, else through the publisher
    /// straight to this node's sockets.
    /// - Returns: the pushes that could not be encoded, with the reason.
    func publishReturningFailures(_ pushes: [Push], delivered: (([PushDelivery<Connection>]) -> Void)? = nil) -> [(Push, FrameError)] {
        if let cluster { return cluster.publish(pushes) }
        let transport = pushTransport
        return publisher.publish(pushes) { deliveries in
            delivered?(deliveries)
            transport.deliver(deliveries)
        }
    }

    /// Carries out feature hooks' actions (joins, leaves, pushes) and delivers their pushes,
    /// under the publisher's lock.
    func perform(_ actions: [FeatureAction]) {
        guard !actions.isEmpty else { return }
        if let cluster {
            // Joins and leaves here; pushes through the bus, which reaches every node.
            var pushes: [Push] = []
            for action in actions {
                switch action {
                case .join(let room, let id): rooms.join(room, id)
                case .leave(let room, let id): rooms.leave(room, id)
                case .push(let message, let target): pushes.append(Push(message, to: target))
                }
            }
            for (push, error) in cluster.publish(pushes) {
                logger.error("feature push not sent", metadata: ["url": "\(push.message.url)", "error": "\(error)"])
            }
            return
        }
        publisher.inOrder {
            do {
                let deliveries = try features.perform(actions, with: publisher)
                if !deliveries.isEmpty { pushTransport.deliver(deliveries) }
            } catch {
                logger.error("feature push not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
