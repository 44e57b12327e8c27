import CoreMetrics
import Synchronization

/// The metrics of one server (named in ``SwitchboardMetrics``), created once when the server
/// is created; the per-route counters and timers once per method, route and status.
///
/// With metrics off, or no backend bootstrapped, every metric is swift-metrics' no-op and
/// ``isRecording`` is `false`, so the request path reads no clock and takes no lock.
final class ServerMetrics: Sendable {
    /// Whether anything is recorded: metrics on and a real backend.
    let isRecording: Bool
    let openConnections: Meter
    let requestsInFlight: Meter
    let pushesDelivered: Counter
    let pushesDropped: Counter
    let outboundHeldBytes: Meter
    let slowConsumerCloses: Counter
    let malformedFrames: Counter

    private struct RouteKey: Hashable {
        var method: Method
        var route: String
        var status: Status
    }

    private struct RouteMetrics: Sendable {
        var count: Counter
        var duration: CoreMetrics.Timer
    }

    private let factory: any MetricsFactory
    private let refusals = Mutex<[Status: Counter]>([:])
    private let routes = Mutex<[RouteKey: RouteMetrics]>([:])

    init(configuration: Configuration) {
        let factory: any MetricsFactory =
            configuration.metrics ? configuration.metricsFactory ?? MetricsSystem.factory : NOOPMetricsHandler.instance
        self.factory = factory
        isRecording = !(factory is NOOPMetricsHandler)
        openConnections = Meter(label: SwitchboardMetrics.openConnections, factory: factory)
        requestsInFlight = Meter(label: SwitchboardMetrics.requestsInFlight, factory: factory)
        pushesDelivered = Counter(label: SwitchboardMetrics.pushesDelivered, factory: factory)
        pushesDropped = Counter(label: SwitchboardMetrics.pushesDropped, factory: factory)
        outboundHeldBytes = Meter(label: SwitchboardMetrics.outboundHeldBytes, factory: factory)
        slowConsumerCloses = Counter(label: SwitchboardMetrics.slowConsumerCloses, factory: factory)
        malformedFrames = Counter(label: SwitchboardMetrics.malformedFrames, factory: factory)
    }

    /// Moves the held-bytes gauge by the change of one connection's held bytes (a meter only
    /// takes positive steps).
    func heldBytesChanged(from old: Int, to new: Int) {
        if new > old {
            outboundHeldBytes.increment(by: Double(new - old))
        } else if new < old {
            outboundHeldBytes.decrement(by: Double(old - new))
        }
    }

    /// Counts a refused handshake.
    func handshakeRefused(_ status: Status) {
        guard isRecording else { return }
        let factory = self.factory
        refusals.withLock { counters in
            if let counter = counters[status] { return counter }
            let counter = Counter(label: SwitchboardMetrics.handshakesRefused, dimensions: [(SwitchboardMetrics.Dimension.status, status.description)], factory: factory)
            counters[status] = counter
            return counter
        }.increment()
    }

    /// Counts an answered request and records how long it took.
    func requestAnswered(_ method: Method, route: String, status: Status, nanoseconds: Int64) {
        let key = RouteKey(method: method, route: route, status: status)
        let factory = self.factory
        let metrics = routes.withLock { routes in
            if let metrics = routes[key] { return metrics }
            let dimensions = [
                (SwitchboardMetrics.Dimension.method, method.description),
                (SwitchboardMetrics.Dimension.route, route),
                (SwitchboardMetrics.Dimension.status, status.description),
            ]
            let metrics = RouteMetrics(
                count: Counter(label: SwitchboardMetrics.requests, dimensions: dimensions, factory: factory),
                duration: CoreMetrics.Timer(label: SwitchboardMetrics.requestDuration, dimensions: dimensions, factory: factory)
            )
            routes[key] = metrics
            return metrics
        }
        metrics.count.increment()
        metrics.duration.recordNanoseconds(nanoseconds)
    }
}
