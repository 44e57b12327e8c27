import Logging

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
        logger: Logger
    ) {
        self.configuration = configuration
        self.responder = responder
        self.authentication = authentication
        self.upgradeHook = upgradeHook
        self.messageHandler = messageHandler
        self.slots = ConnectionSlots(maxConnections: configuration.maxConnections)
        self.pending = PendingConnections(limit: configuration.maxPendingConnections)
        let registry = ConnectionRegistry<Connection>()
        self.registry = registry
        self.rooms = rooms
        self.features = features
        let sessions = SessionRegistry(grace: .nanoseconds(configuration.sessionGrace.nanoseconds))
        self.sessions = sessions
        self.publisher = PushPublisher(
            connections: registry, rooms: rooms, history: HistoryStore(policy: configuration.delivery),
            retains: { sessions.parkedSessionsHold($0) }
        )
        self.pushTransport = ConnectionPushTransport()
        self.reservedRoutes = ReservedRoutes.router(authentication: authentication, registry: registry, rooms: rooms, features: features)
        self.logger = logger
        self.observer = RequestObserver(configuration: configuration)
    }

    /// Publishes pushes in one go, the server's one publish path: each encoded once (with its
    /// room offset), and every recipient connection gets what this call holds for it in one
    /// message; queued under the publisher's lock, so each connection gets every room's pushes
    /// in offset order. A push whose url cannot go on the wire is skipped (and logged when
    /// `logsFailures`; ``Server/push(_:to:)`` throws instead).
    /// - Returns: the recipients, and the pushes that could not be encoded.
    @discardableResult
    func publish(_ pushes: [Push], logsFailures: Bool = true) -> (recipients: [ConnectionID], failed: [(Push, FrameError)]) {
        let transport = pushTransport
        var recipients: [ConnectionID] = []
        let failed = publisher.publish(pushes) { deliveries in
            for delivery in deliveries { recipients += delivery.recipientIDs }
            transport.deliver(deliveries)
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
        publisher.inOrder {
            do {
                pushTransport.deliver(try features.perform(actions, with: publisher))
            } catch {
                logger.error("feature push not sent", metadata: ["error": "\(error)"])
            }
        }
    }
}
