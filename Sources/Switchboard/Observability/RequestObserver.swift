import NIOCore
import Tracing

/// Measures and traces the requests of one server: counts and durations by route in
/// ``ServerMetrics``, one span each when a tracer is active (``SwitchboardTracing``).
///
/// Created once per server. When neither records anything, ``start()`` returns `nil` and the
/// request path does nothing more for them: no clock read, no lock, no span.
final class RequestObserver: Sendable {
    let metrics: ServerMetrics
    /// The tracer spans go to; `nil` when it is swift-distributed-tracing's `NoOpTracer`.
    private let tracer: (any Tracer)?

    init(configuration: Configuration) {
        metrics = ServerMetrics(configuration: configuration)
        let tracer = configuration.tracer ?? InstrumentationSystem.tracer
        self.tracer = tracer is NoOpTracer ? nil : tracer
    }

    /// When a request began, or `nil` when nothing observes requests.
    func start() -> RequestStart? {
        guard metrics.isRecording || tracer != nil else { return nil }
        return RequestStart(uptime: NIODeadline.now().uptimeNanoseconds, instant: tracer.map { _ in DefaultTracerClock.now })
    }

    /// The observation of a request that began at `start` and was routed to `pattern`; its
    /// span starts (back-dated to `start`) now that the route is known.
    func routed(_ start: RequestStart?, _ request: Request, pattern: String?) -> RequestObservation? {
        guard let start else { return nil }
        let route = pattern ?? SwitchboardMetrics.unmatchedRoute
        let span = tracer.flatMap { tracer in
            start.instant.map { instant in
                let span = tracer.startSpan("\(request.method) \(route)", ofKind: .server, at: instant)
                span.updateAttributes { attributes in
                    attributes[SwitchboardTracing.route] = route
                    attributes[SwitchboardTracing.requestID] = Int(request.id)
                    attributes[SwitchboardTracing.connectionID] = request.connection.id.rawValue
                }
                return span
            }
        }
        return RequestObservation(observer: self, method: request.method, route: route, startedAt: start.uptime, span: span)
    }
}

/// When a request began: a monotonic clock for its duration, the wall clock for its span.
struct RequestStart {
    var uptime: UInt64
    var instant: DefaultTracerClock.Instant?
}

/// One request being observed, from its routing until its reply is written.
struct RequestObservation: Sendable {
    let observer: RequestObserver
    let method: Method
    let route: String
    let startedAt: UInt64
    let span: (any Span)?

    /// The reply with `status` was written: counts it, records its duration, ends the span.
    func answered(_ status: Status) {
        if observer.metrics.isRecording {
            let elapsed = NIODeadline.now().uptimeNanoseconds &- startedAt
            observer.metrics.requestAnswered(method, route: route, status: status, nanoseconds: Int64(truncatingIfNeeded: elapsed))
        }
        guard let span else { return }
        span.attributes[SwitchboardTracing.statusCode] = status.code
        if status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
        span.end()
    }

    /// The connection closed before the reply was written: the span ends with an error status,
    /// nothing is counted.
    func abandoned() {
        guard let span else { return }
        span.setStatus(SpanStatus(code: .error, message: "connection closed before the reply"))
        span.end()
    }

    /// Runs `body` with the span of `observation` (if any) as the current context, so a task
    /// it starts (an asynchronous handler) inherits it.
    static func inSpanContext<Result>(of observation: RequestObservation?, _ body: () -> Result) -> Result {
        guard let span = observation?.span else { return body() }
        return InstrumentationContext.withValue(span.context, operation: body)
    }
}
