import CoreMetrics
import NIOCore
import Tracing

/// Every setting and limit of a ``Server``, with documented defaults.
///
/// The defaults suit a public server of small JSON messages; tests lower them to reach a limit
/// quickly. Durations are `TimeAmount`s, sizes are bytes.
public struct Configuration: Sendable {
    // MARK: Listening

    /// The address to bind. Default `127.0.0.1`; use `0.0.0.0` to listen on every interface.
    public var host: String = "127.0.0.1"
    /// The port to bind. Default `8080`; `0` picks a free port, readable from
    /// ``Server/waitUntilListening()`` once bound.
    public var port: Int = 8080
    /// The path that accepts WebSocket upgrades. Default `/ws`.
    public var webSocketPath: String = "/ws"
    /// A folder whose files are served to plain HTTP `GET`/`HEAD` requests on other paths
    /// (`/` serves `index.html`). Default `nil`: every other path answers 404.
    public var staticFilesFolder: String? = nil
    /// Origins (`scheme://host[:port]`) allowed to open a WebSocket; a browser handshake with any
    /// other `Origin` header, or with more than one `Origin` header, is refused with 403.
    /// Default `nil`: every origin, and requests without one (non-browser clients), are allowed.
    /// A handshake without an `Origin` header is always allowed, because only browsers send it.
    public var allowedOrigins: Set<String>? = nil

    /// Serves `wss://` (TLS) instead of `ws://` with these certificates, on the same port and
    /// pipeline: a client speaking plain HTTP or `ws://` to it fails the TLS handshake and is
    /// disconnected. Default `nil`: plain `ws://`.
    public var tls: TLSSettings? = nil

    // MARK: Handshake and connections

    /// The most open WebSocket connections; handshakes beyond it are refused with 503.
    /// Default 10,000.
    public var maxConnections: Int = 10_000
    /// How long an accepted TCP connection may stay open without being an open WebSocket; then
    /// it is closed. It covers everything before the upgrade: the request head, any request
    /// body, the handshake checks, token authentication and the upgrade hook, and for a plain
    /// HTTP request also its answer (every plain answer closes the connection, so there is no
    /// idle keep-alive). Default 10 s.
    public var handshakeTimeout: TimeAmount = .seconds(10)
    /// The most accepted TCP connections that are not (yet) open WebSockets: handshakes in
    /// progress and plain HTTP requests. A connection accepted beyond it closes the one of them
    /// that has waited longest, so stalled connections can never keep a new client out and
    /// never hold more than this many sockets. Open WebSockets count against
    /// ``maxConnections`` instead. Default 1,024.
    public var maxPendingConnections: Int = 1_024

    // MARK: Messages

    /// The largest single WebSocket frame's payload accepted; a larger frame closes the
    /// connection with 1009 (message too big). Default 1 MiB.
    public var maxFrameSize: Int = 1 << 20
    /// The largest WebSocket message (all fragments together) accepted; a larger one closes the
    /// connection with 1009. Default 1 MiB.
    public var maxMessageSize: Int = 1 << 20
    /// The most fragments one WebSocket message may arrive in; more closes with 1009.
    /// Default 64.
    public var maxFragmentsPerMessage: Int = 64
    /// permessage-deflate (RFC 7692): when set, clients that offer it at the handshake get
    /// compressed messages and may send compressed ones (see ``CompressionSettings``); a
    /// compressed message counts against ``maxMessageSize`` once inflated. Default `nil`: no
    /// compression, and offers are ignored.
    public var compression: CompressionSettings? = nil

    // MARK: Malformed input

    /// How many malformed frames (frames the codec rejects, text messages, frame kinds only
    /// servers send, each bad frame inside a batch; each answered with an error frame of status
    /// 400) a connection may send within ``malformedFrameWindow``; one more closes it with 1008
    /// (policy violation). A client's own error frames never count. Default 10.
    public var maxMalformedFrames: Int = 10
    /// The window over which ``maxMalformedFrames`` counts. Default 10 s.
    public var malformedFrameWindow: TimeAmount = .seconds(10)

    // MARK: Concurrency per connection

    /// The most requests of one connection that may wait for an asynchronous handler at once;
    /// a request beyond it is answered with status 429 (too many requests) and the connection
    /// stays open. Requests answered inline never count. Default 128.
    public var maxInFlightRequests: Int = 128

    /// Whether the tasks of asynchronous handlers (and of the handshake's token authentication
    /// and upgrade hook) prefer the connection's event loop as their executor (a task executor
    /// preference). Default `true`: the task starts at once, inside the read of its request, and
    /// runs on that loop unless it hops elsewhere; one that never suspends answers without any
    /// job enqueued or thread hop, which is what makes async routes cheap. Like a synchronous
    /// handler, it then holds the loop while it computes; set `false` when async handlers or
    /// hooks do long computations without awaiting, so they run on Swift's global concurrent
    /// executor instead (each reply then hops back).
    public var runsAsyncHandlersOnEventLoop = true

    // MARK: Health

    /// How often the server pings a connection that has sent nothing in the meantime.
    /// Default 30 s; `nil` disables pings (and so idle detection). The connections of an event
    /// loop share one timer that runs in quarter-interval steps: a connection's first ping tick
    /// comes between one and one and a quarter intervals after it opened, the next ones one
    /// interval apart.
    public var pingInterval: TimeAmount? = .seconds(30)
    /// How long a connection may stay silent (no frame of any kind, pongs included) before it is
    /// considered dead and closed with 1001 (going away) and reason `idle timeout`. Checked at
    /// each ping tick, so the close comes at the first tick past it. Default 75 s (the third
    /// silent tick at the default interval). Only checked while pings are enabled.
    public var idleTimeout: TimeAmount = .seconds(75)

    // MARK: Reading

    /// The size of the first buffer a connection reads its socket into, in bytes. Each
    /// connection keeps its last read buffer for the next read, so this is most of what an idle
    /// connection holds in memory. Reads that fill the buffer double the next one (up to
    /// 64 KiB); reads that use less than half of it twice in a row halve it (down to 64 bytes).
    /// Default 512: an upgrade request and small messages fit, larger traffic grows it.
    public var initialReceiveBufferSize: Int = 512

    // MARK: Outbound

    /// The most bytes waiting to be written to one connection. A connection whose client does
    /// not read (a slow consumer) and lets this fill is closed with 1013 (try again later) and
    /// reason `slow consumer: …`: the messages not yet handed to the socket are dropped, so it
    /// never grows the server's memory beyond this, and the close frame follows what the socket
    /// holds (about ``outboundHighWaterMark``); the connection closes when the client answers
    /// it, or 2 s later. Default 4 MiB.
    public var maxOutboundBufferSize: Int = 4 << 20
    /// Outbound bytes in a connection's socket channel above which the server holds further
    /// messages in its own queue (written in order below half of it) and stops reading new
    /// frames from it, so a client that sends requests but does not read the answers is slowed
    /// rather than served into memory. Default 256 KiB.
    public var outboundHighWaterMark: Int = 256 << 10

    // MARK: Delivery guarantees

    /// Each room's default `DeliveryClass` and `HistoryLimits`, by room pattern (see
    /// `DeliveryPolicy`). Default: every push reliable (an offset, kept for replay), each
    /// room keeping at most 100 pushes, 256 KiB of frames and 5 minutes, and all rooms together
    /// at most 64 MiB of frames (`DeliveryPolicy.maxTotalBytes`: past it the least recently
    /// used rooms' histories are dropped).
    public var delivery = DeliveryPolicy()
    /// How long the session of a connection that dropped unexpectedly (no close frame, a
    /// client close code other than 1000, an idle timeout, a slow consumer's 1013) waits for a
    /// RESUME from a new connection: its rooms and acks are kept meanwhile. A deliberate
    /// close keeps nothing. Default 2 minutes.
    public var sessionGrace: TimeAmount = .minutes(2)

    // MARK: Lifecycle

    /// How long the server waits, after sending a close frame, for the peer's close frame before
    /// it closes the TCP connection anyway. What has not reached the socket by then (a slow
    /// consumer's close frame behind unread data, for one) is dropped. Also the wait of a
    /// handshake refused with `refusal=close` (PROTOCOL.md §1.1). Default 2 s.
    public var closeHandshakeTimeout: TimeAmount = .seconds(2)

    /// How long a graceful shutdown waits for requests in flight to be answered before every
    /// remaining connection is closed. Default 10 s.
    public var shutdownDeadline: TimeAmount = .seconds(10)

    // MARK: Plain HTTP

    /// Answers to plain HTTP `GET` (and `HEAD`) requests by exact path, checked before
    /// ``staticFilesFolder``: health checks, a metrics export (see ``PlainHTTPRoutes``).
    /// Default: none.
    public var httpRoutes = PlainHTTPRoutes()

    // MARK: Metrics and tracing

    /// Whether the server records its metrics (``SwitchboardMetrics``) through swift-metrics.
    /// Default `true`: with no metrics backend bootstrapped they cost nothing (the server then
    /// records nothing at all, not even a clock read per request).
    public var metrics = true
    /// The swift-metrics factory the server's metrics are made with. Default `nil`: the one
    /// bootstrapped with `MetricsSystem.bootstrap`, read when the ``Server`` is created, so
    /// bootstrap before creating it.
    public var metricsFactory: (any MetricsFactory)? = nil
    /// The tracer that gets one span per request (``SwitchboardTracing``). Default `nil`: the
    /// one bootstrapped with `InstrumentationSystem.bootstrap`, read when the ``Server`` is
    /// created; with none bootstrapped (`NoOpTracer`) no span is made.
    public var tracer: (any Tracer)? = nil

    // MARK: Conformance testing

    /// Makes the WebSocket path a raw echo endpoint that bypasses the frame codec and routing,
    /// for RFC 6455 conformance runs (Autobahn|Testsuite). Never enable it in production.
    /// Default `false`.
    public var rawEchoMode: Bool = false

    /// The default configuration (see each property).
    public init() {}

    /// The default configuration listening on `host` and `port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }
}
