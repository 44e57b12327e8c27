import Logging
import SwitchboardDeflate

/// The parts of a server every connection uses: settings, hooks, the responder, the table of
/// connection slots and the registries pushes go through (the ``registry`` is the one map of
/// open connections). Immutable once the server starts.
final class ServerComponents: Sendable {
    let configuration: Configuration
    let responder: any Responder
    /// The built-in `/_switchboard/…` routes, answered before ``responder``.
    let reservedRoutes: Router
    let authentication: TokenAuthentication?
    let upgradeHook: UpgradeHook?
    let messageHandler: MessageHandler?
    /// Connection slots (the bound on connections), whether new ones are accepted, and ids.
    let slots: ConnectionSlots
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
    /// The connections' ping timers, one per event loop; `nil` when pings are off.
    let pingTimers: PerEventLoop<PingTimer>?
    /// The executors async handlers prefer, one per event loop; `nil` when they run on the
    /// global executor (``Configuration/runsAsyncHandlersOnEventLoop``).
    let executors: PerEventLoop<EventLoopExecutor>?
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
        self.slots = ConnectionSlots(maxConnections: configuration.maxConnections, nodePrefix: cluster?.nodeId)
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
        if let interval = configuration.pingInterval, interval.nanoseconds > 0 {
            self.pingTimers = PerEventLoop { PingTimer(eventLoop: $0, interval: interval) }
        } else {
            self.pingTimers = nil
        }
        self.executors = configuration.runsAsyncHandlersOnEventLoop ? PerEventLoop { EventLoopExecutor($0) } : nil
        self.observer = RequestObserver(configuration: configuration)
        if let cluster, let presence = features.feature(named: "presence") as? Presence { presence.share(through: cluster) }
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

    /// Publishes pushes in one go, the server's one publish path: each encoded once (with its
    /// room offset), and every recipient connection gets what this call holds for it in one
    /// message; queued under the publisher's lock, so each connection gets every room's pushes
    /// in offset order. With a cluster bus, they go through the bus (recipients: none known yet). A push whose url cannot go on the wire is skipped (and logged when
    /// `logsFailures`; ``Server/push(_:to:)`` throws instead).
    /// - Returns: the recipients, and the pushes that could not be encoded.
    @discardableResult
    func publish(_ pushes: [Push], logsFailures: Bool = true) -> (recipients: [ConnectionID], failed: [(Push, FrameError)]) {
        var recipients: [ConnectionID] = []
        let failed: [(Push, FrameError)]
        if let cluster {
            // Placed by the bus; this node's members get them when its answer arrives.
            failed = cluster.publish(pushes)
        } else {
            let transport = pushTransport
            failed = publisher.publish(pushes) { deliveries in
                for delivery in deliveries { recipients += delivery.recipientIDs }
                transport.deliver(deliveries)
            }
        }
        for (push, error) in failed where logsFailures {
            logger.error("push not sent", metadata: ["url": "\(push.message.url)", "error": "\(error)"])
        }
        return (recipients, failed)
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
                pushTransport.deliver(try features.perform(actions, with: publisher))
            } catch {
                logger.error("feature push not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
