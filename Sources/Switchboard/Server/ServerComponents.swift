import Logging
import SwitchboardDeflate

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
        self.connections = ConnectionTable(maxConnections: configuration.maxConnections)
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

    /// Publishes pushes in one go: each encoded once (with its room offset), and every
    /// recipient connection gets what this call holds for it in one message; queued under the
    /// publisher's lock, so each connection gets every room's pushes in offset order. A push
    /// whose url cannot go on the wire is logged and skipped.
    func publish(_ pushes: [Push]) {
        let transport = pushTransport
        let failed = publisher.publish(pushes) { transport.deliver($0) }
        for (push, error) in failed {
            logger.error("push not sent", metadata: ["url": "\(push.message.url)", "error": "\(error)"])
        }
    }

    /// Carries out feature hooks' actions (joins, leaves, pushes) and delivers their pushes,
    /// under the publisher's lock.
    func perform(_ actions: [FeatureAction]) {
        guard !actions.isEmpty else { return }
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
