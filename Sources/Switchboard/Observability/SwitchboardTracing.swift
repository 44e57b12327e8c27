/// The spans the server records through swift-distributed-tracing, and their attributes.
///
/// One span per request, of kind `server`, named by the request's method and route pattern
/// (`GET /boards/:id`; `GET unmatched` when no route matched), started when the request frame
/// is decoded and ended when its reply is written. The tracer is
/// ``Configuration/tracer``, else the one bootstrapped with `InstrumentationSystem` before the
/// ``Server`` was created; with none (`NoOpTracer`) no span is made at all. An asynchronous
/// handler runs with the span's context as `InstrumentationContext.current`, so the spans it
/// starts are the request span's children.
public enum SwitchboardTracing {
    /// Integer: the reply's HTTP status code. A status of 500 or more also sets the span's
    /// status to error.
    public static let statusCode = "switchboard.status_code"
    /// Integer: the request id from the frame.
    public static let requestID = "switchboard.request_id"
    /// String: the id of the connection the request came on.
    public static let connectionID = "switchboard.connection_id"
    /// String: the route pattern, as in ``SwitchboardMetrics/Dimension/route``.
    public static let route = "switchboard.route"
}
