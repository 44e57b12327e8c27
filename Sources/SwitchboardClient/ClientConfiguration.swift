import NIOCore
import NIOPosix
import SwitchboardCore

/// The settings of a ``SwitchboardClient``: timeouts, the send queue, reconnection, heartbeat,
/// credentials, retries, TLS and compression. Every limit has a documented default.
public struct ClientConfiguration: Sendable {
    /// How long a request may wait for its response once written. Default 10 s; override per
    /// call with ``RequestOptions/timeout``. Expiry fails the call with ``SwitchboardClientError/timedOut``.
    public var requestTimeout: Duration = .seconds(10)
    /// How long a call may wait in the send queue while the socket is not open. Default 5,000 ms;
    /// expiry fails it with ``SwitchboardClientError/queueTimedOut(_:)``.
    public var queueTimeout: Duration = .milliseconds(5000)
    /// How many calls the send queue holds while the socket is not open. Default 1,024; one more
    /// fails at once with ``SwitchboardClientError/queueFull``.
    public var maxQueuedItems: Int = 1024
    /// How lost connections are reopened. Default: unlimited attempts, 250 ms…30 s apart.
    public var reconnect = ReconnectPolicy()
    /// How long a TCP connect plus WebSocket handshake may take. Default 10 s.
    public var connectTimeout: Duration = .seconds(10)
    /// After this long without anything read from the server, the client sends a ping (checked
    /// every half interval). Default 15 s; `nil` turns the heartbeat off.
    public var heartbeatInterval: Duration? = .seconds(15)
    /// After this long without anything read (no pong either), the connection is taken for dead,
    /// closed and reopened. Default 45 s; keep it above twice ``heartbeatInterval``.
    public var heartbeatTimeout: Duration = .seconds(45)
    /// The largest WebSocket message (all its fragments together) the client accepts from the
    /// server. Default 1 MiB, the server's own default limit.
    public var maxMessageSize: Int = 1 << 20
    /// The most WebSocket fragments one message may arrive in. Default 64, the server's own
    /// default limit.
    public var maxFragmentsPerMessage: Int = 64
    /// Asked for a token before every connection attempt and before an in-band credential
    /// refresh; a non-nil token is sent as `Authorization: Bearer <token>`. Default `nil`.
    public var tokenProvider: (@Sendable () async throws -> String?)? = nil
    /// How many times an idempotent request (GET, HEAD, PUT, DELETE, OPTIONS) answered 429 or
    /// 503 is sent again. Default 3.
    public var busyRetryLimit: Int = 3
    /// The wait before the first such retry; doubled for each further one. Default 200 ms.
    public var busyRetryDelay: Duration = .milliseconds(200)
    /// Whether POST and PATCH requests get an idempotency key (`?idempotencyKey=<32 hex>`)
    /// when the call gives none, so they are replayed after a reconnect. Default `true`.
    public var automaticIdempotencyKeys = true
    /// How many pushes an ``SwitchboardClient/pushes(matching:)`` sequence buffers for a slow
    /// reader; beyond it the oldest are dropped. Default 1,024.
    public var pushBufferSize: Int = 1024
    /// After this many reliable pushes processed in a room, the client acknowledges the room's
    /// highest offset with an ACK frame (PROTOCOL.md §4). Default 50.
    public var ackBatchSize: Int = 50
    /// How long after the first push not acknowledged the client sends every room's ACK, when
    /// ``ackBatchSize`` was not reached earlier; also sent before a deliberate close. Default 1 s.
    public var ackInterval: Duration = .seconds(1)
    /// Called with every frame the client writes or reads (a batch once, before its frames are
    /// handled), on the connection's event loop; for logs such as the CLI's `--verbose`.
    public var frameObserver: (@Sendable (FrameDirection, Frame) -> Void)? = nil
    /// The source of randomness for the reconnect jitter: a value in `0..<1`. Default
    /// `Double.random(in: 0..<1)`; tests inject a fixed one.
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// permessage-deflate: offered at every handshake when set, see ``ClientCompressionSettings``.
    /// Default `nil`: not offered, and a server answer with any extension fails the connection.
    public var compression: ClientCompressionSettings? = nil
    /// How `wss://` urls are connected: trust roots, host name, the full NIOSSL configuration.
    /// Default: the system's trust roots with full certificate and host name verification.
    public var tls = ClientTLSSettings()
    /// The event loops the client runs on (it uses one). Default: NIO's shared singleton group.
    public var eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton

    /// The defaults.
    public init() {}
}

/// Whether a frame seen by ``ClientConfiguration/frameObserver`` was written or read.
public enum FrameDirection: Sendable, Hashable {
    /// Written by the client.
    case sent
    /// Read from the server.
    case received
}
