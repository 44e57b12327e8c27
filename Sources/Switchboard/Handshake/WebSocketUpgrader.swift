import NIOCore
import NIOHTTP1
import NIOWebSocket

/// NIO's WebSocket upgrader behind the server's synchronous handshake checks
/// (``HandshakeEvaluation/check(_:channel:components:outcome:)``).
///
/// NIO checks `Sec-WebSocket-Version` before it asks the server, and does not check the method
/// or `Connection`; a request it turns down reaches the plain HTTP handler already consumed, so
/// only a generic 400 could answer it. Checking first records the precise refusal (400, 403,
/// 404, 426) for the plain HTTP handler to answer.
struct WebSocketUpgrader: NIOTypedHTTPServerProtocolUpgrader {
    typealias UpgradeResult = Void

    let upgrader: NIOTypedWebSocketServerUpgrader<Void>
    let components: ServerComponents
    let outcome: NIOLoopBoundBox<HandshakeOutcome>

    var supportedProtocol: String { upgrader.supportedProtocol }
    var requiredUpgradeHeaders: [String] { upgrader.requiredUpgradeHeaders }

    func buildUpgradeResponse(channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders) -> EventLoopFuture<HTTPHeaders> {
        if let refusal = HandshakeEvaluation.check(upgradeRequest, channel: channel, components: components, outcome: outcome) {
            return channel.eventLoop.makeFailedFuture(refusal)
        }
        return upgrader.buildUpgradeResponse(channel: channel, upgradeRequest: upgradeRequest, initialResponseHeaders: initialResponseHeaders)
    }

    func upgrade(channel: any Channel, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        upgrader.upgrade(channel: channel, upgradeRequest: upgradeRequest)
    }
}
