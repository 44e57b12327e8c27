import Logging

/// The parts of a server every connection uses: settings, hooks, the responder, the table of
/// open connections and the registries pushes go through. Immutable once the server starts.
final class ServerComponents: Sendable {
    let configuration: Configuration
    let responder: any Responder
    let authentication: TokenAuthentication?
    let upgradeHook: UpgradeHook?
    let messageHandler: MessageHandler?
    let connections: ConnectionTable
    let registry: ConnectionRegistry<Connection>
    let rooms: RoomRegistry
    let logger: Logger

    init(
        configuration: Configuration,
        responder: any Responder,
        authentication: TokenAuthentication?,
        upgradeHook: UpgradeHook?,
        messageHandler: MessageHandler?,
        rooms: RoomRegistry = RoomRegistry(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.responder = responder
        self.authentication = authentication
        self.upgradeHook = upgradeHook
        self.messageHandler = messageHandler
        self.connections = ConnectionTable(maxConnections: configuration.maxConnections)
        self.registry = ConnectionRegistry()
        self.rooms = rooms
        self.logger = logger
    }
}
