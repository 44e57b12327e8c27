/// The names of every metric the server records through swift-metrics, and of their
/// dimensions: the one place they are defined (README.md, "Metrics and tracing", lists the
/// same table).
///
/// Nothing is recorded until the application bootstraps a metrics backend
/// (`MetricsSystem.bootstrap(…)`) before it creates the ``Server``, or passes one as
/// ``Configuration/metricsFactory``; ``Configuration/metrics`` turns them all off. Gauges are
/// swift-metrics `Meter`s, durations `Timer`s (nanoseconds), counts `Counter`s. The names
/// are stable: a rename is a breaking change.
public enum SwitchboardMetrics {
    /// Gauge: the open WebSocket connections of this server.
    public static let openConnections = "switchboard_open_connections"
    /// Counter: WebSocket handshakes refused, by the HTTP ``Dimension/status`` of the refusal
    /// (400, 401, 403, 404, 426, 503, or a status of the upgrade hook's).
    public static let handshakesRefused = "switchboard_handshakes_refused_total"
    /// Counter: requests answered, by ``Dimension/method``, ``Dimension/route`` and
    /// ``Dimension/status``.
    public static let requests = "switchboard_requests_total"
    /// Timer: how long requests took, from the frame's arrival to the reply's write, with the
    /// same dimensions as ``requests``.
    public static let requestDuration = "switchboard_request_duration_seconds"
    /// Gauge: requests waiting for an asynchronous handler that suspended (requests answered
    /// inline, by synchronous handlers or asynchronous ones that did not suspend, never wait).
    public static let requestsInFlight = "switchboard_requests_in_flight"
    /// Counter: frames queued by pushes (and the SUBSCRIBE and replayed frames that travel with
    /// them) written to a connection, counted per connection.
    public static let pushesDelivered = "switchboard_pushes_delivered_total"
    /// Counter: such frames dropped because their connection was closing or closed before they
    /// were written.
    public static let pushesDropped = "switchboard_pushes_dropped_total"
    /// Gauge: bytes held in the server's own outbound queues, across connections, while their
    /// sockets are not writable (see ``Configuration/outboundHighWaterMark``).
    public static let outboundHeldBytes = "switchboard_outbound_held_bytes"
    /// Counter: connections closed with 1013 as slow consumers (see
    /// ``Configuration/maxOutboundBufferSize``).
    public static let slowConsumerCloses = "switchboard_slow_consumer_closes_total"
    /// Counter: malformed frames received (each answered with an error frame of status 400,
    /// see ``Configuration/maxMalformedFrames``).
    public static let malformedFrames = "switchboard_malformed_frames_total"

    /// The names of the metrics' dimensions.
    public enum Dimension {
        /// The request method, e.g. `GET`.
        public static let method = "method"
        /// The pattern of the route that answered, with mount and group prefixes
        /// (`/boards/:id`), never the raw url; ``unmatchedRoute`` when no route matched.
        public static let route = "route"
        /// The HTTP status code, e.g. `200`.
        public static let status = "status"
    }

    /// The ``Dimension/route`` of requests no route matched (404, 405, automatic OPTIONS) and
    /// of requests answered by a responder that is not a `Router`.
    public static let unmatchedRoute = "unmatched"
}
