import Logging

/// The parts of a server every connection uses: settings, hooks, the responder and the table of
/// open connections. Immutable once the server starts.
final class ServerComponents: Sendable {
    let configuration: Configuration
    let responder: any Responder
    let authentication: TokenAuthentication?
    let upgradeHook: UpgradeHook?
    let messageHandler: MessageHandler?
    let connections: ConnectionTable
    let logger: Logger

    init(
        configuration: Configuration,
        responder: any Responder,
        authentication: TokenAuthentication?,
        upgradeHook: UpgradeHook?,
        messageHandler: MessageHandler?,
        logger: Logger
    ) {
        self.configuration = configuration
        self.responder = responder
        self.authentication = authentication
        self.upgradeHook = upgradeHook
        self.messageHandler = messageHandler
        self.connections = ConnectionTable(maxConnections: configuration.maxConnections)
        self.logger = logger
    }
}
