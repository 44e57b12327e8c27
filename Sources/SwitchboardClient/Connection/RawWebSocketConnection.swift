import NIOCore
import NIOWebSocket

/// One complete WebSocket message (its fragments joined) read or written by a
/// ``RawWebSocketConnection``.
@_spi(Conformance)
public struct RawWebSocketMessage: Sendable, Hashable {
    /// The message's opcode.
    public enum Kind: Sendable, Hashable {
        /// A text message: its bytes are valid UTF-8 when read (the client checks).
        case text
        /// A binary message.
        case binary
    }

    /// Text or binary.
    public var kind: Kind
    /// The payload.
    public var bytes: [UInt8]

    /// A message of `kind` carrying `bytes`.
    public init(kind: Kind, bytes: [UInt8]) {
        self.kind = kind
        self.bytes = bytes
    }
}

/// The client's WebSocket layer without the Switchboard protocol (no subprotocol offered, no
/// frame codec), for RFC 6455 conformance runs such as Autobahn|Testsuite's client cases
/// (`Examples/AutobahnClient`, `Scripts/autobahn.sh --client`). It uses the same connector,
/// fragment joining and limits (``ClientConfiguration/maxMessageSize``,
/// ``ClientConfiguration/maxFragmentsPerMessage``, ``ClientConfiguration/connectTimeout``) as
/// ``SwitchboardClient``; the heartbeat, reconnection and tokens are not used.
@_spi(Conformance)
public enum RawWebSocketConnection {
    /// Connects to `url` (`ws://` or `wss://host:port/path?query`) and runs the connection until it closes.
    ///
    /// `respond` is called on the connection's event loop with each complete message; the
    /// messages it returns are written back at once, masked, each in one frame. Pings are
    /// answered. Text that is not UTF-8 fails the connection with close code 1007 (as soon as
    /// the bad fragment arrives); reserved bits or opcodes, masked or malformed frames, and a
    /// close frame with an invalid code or reason fail it with 1002; a message over the limits
    /// fails it with 1009. A valid close from the server is echoed with its code (1000 when it
    /// sent none).
    /// - Returns: the code of the server's close frame; `nil` when it sent none, or no code.
    /// - Throws: ``SwitchboardClientError/handshakeRefused(status:reason:)`` when the server
    ///   answers the upgrade with an HTTP status, ``SwitchboardClientError/connectionFailed(_:)``
    ///   when it cannot be reached or the handshake fails, ``SwitchboardClientError/tlsHandshakeFailed(_:)``
    ///   when the TLS handshake fails, ``SwitchboardClientError/invalidTLSConfiguration(_:)``
    ///   when ``ClientConfiguration/tls`` cannot be used, ``SwitchboardClientError/invalidRequest(_:)``
    ///   for a malformed `url`.
    public static func run(
        url: String, configuration: ClientConfiguration = ClientConfiguration(),
        respond: @escaping @Sendable (RawWebSocketMessage) -> [RawWebSocketMessage]
    ) async throws(SwitchboardClientError) -> Int? {
        let eventLoop = configuration.eventLoopGroup.next()
        let connector = try Connector(address: try ServerAddress(url), configuration: configuration, eventLoop: eventLoop)
        let closed = eventLoop.makePromise(of: Int?.self)
        let outcome = await connector.connect(token: nil, subprotocol: nil) {
            [RawFrameValidator(), Connector.aggregator(configuration), RawMessageHandler(respond: respond, closed: closed)]
        }
        switch outcome {
        case .open(let channel):
            // The handler settles `closed` when the channel goes inactive; this covers a
            // channel that closed before the handler was added.
            channel.closeFuture.whenComplete { _ in closed.succeed(nil) }
            return try? await closed.futureResult.get()
        case .refused(let status, let reason):
            closed.succeed(nil)
            throw .handshakeRefused(status: status, reason: reason)
        case .failed(let error):
            closed.succeed(nil)
            throw error
        }
    }
}
