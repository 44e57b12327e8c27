import Foundation
import InMemoryTracing
import Metrics
import MetricsTestKit
import Prometheus
import Switchboard
import Testing
import Tracing

@Suite("Metrics and tracing over real sockets")
struct ObservabilityTests {
    /// `GET /boards/:id` inline, `GET /later/:id` asynchronous (201, starting a child span of
    /// the request's span with `tracer`; it answers without suspending), `GET /suspends/:id`
    /// asynchronous and suspending before it answers (so it is awaited).
    static func router(tracer: InMemoryTracer? = nil) -> Router {
        var router = Router()
        router.get("/boards/:id") { req, res in res.send(Array((req.params["id"] ?? "").utf8)) }
        router.get("/later/:id") { req, res async in
            if let tracer {
                let child = tracer.startSpan("child work", context: InstrumentationContext.current ?? .topLevel)
                child.end()
            }
            res.status(.created).end()
        }
        router.get("/suspends/:id") { req, res async in
            await Task.yield()
            res.status(.accepted).end()
        }
        return router
    }

    static func configuration(metrics: TestMetrics, tracer: InMemoryTracer? = nil) -> Configuration {
        var configuration = Configuration()
        configuration.metricsFactory = metrics
        configuration.tracer = tracer
        return configuration
    }

    static func route(_ method: String, _ route: String, _ status: Int) -> [(String, String)] {
        [(SwitchboardMetrics.Dimension.method, method), (SwitchboardMetrics.Dimension.route, route), (SwitchboardMetrics.Dimension.status, String(status))]
    }

    @Test("requests are counted and timed by route pattern and status; connections and requests in flight are gauged")
    func requestMetrics() async throws {
        let metrics = TestMetrics()
        let running = try await RunningServer.start(responder: Self.router(), configuration: Self.configuration(metrics: metrics))
        let client = try await WebSocketTestClient.connect(port: running.port)
        #expect(try await client.request(.get, "/boards/7").status == .ok)
        #expect(try await client.request(.get, "/boards/8?x=1", id: 2).status == .ok)
        #expect(try await client.request(.get, "/nowhere", id: 3).status == .notFound)
        #expect(try await client.request(.get, "/later/1", id: 4).status == .created)
        // An asynchronous handler that answered without suspending never waited.
        let inFlight = try metrics.expectMeter(SwitchboardMetrics.requestsInFlight)
        #expect(inFlight.values.isEmpty)
        #expect(try await client.request(.get, "/suspends/1", id: 5).status == .accepted)

        let boards = try metrics.expectCounter(SwitchboardMetrics.requests, Self.route("GET", "/boards/:id", 200))
        #expect(boards.totalValue == 2)
        #expect(try metrics.expectTimer(SwitchboardMetrics.requestDuration, Self.route("GET", "/boards/:id", 200)).values.count == 2)
        #expect(try metrics.expectCounter(SwitchboardMetrics.requests, Self.route("GET", SwitchboardMetrics.unmatchedRoute, 404)).totalValue == 1)
        #expect(try metrics.expectCounter(SwitchboardMetrics.requests, Self.route("GET", "/later/:id", 201)).totalValue == 1)
        // No raw url became a label.
        #expect(metrics.counters(label: SwitchboardMetrics.requests).count == 4)

        #expect(inFlight.values.contains(1))
        #expect(inFlight.lastValue == 0)
        let open = try metrics.expectMeter(SwitchboardMetrics.openConnections)
        #expect(open.lastValue == 1)
        client.close()
        #expect(await running.eventually { open.lastValue == 0 })
        try await running.stop()
    }

    @Test("pushes written, malformed frames and refused handshakes are counted")
    func eventCounters() async throws {
        let metrics = TestMetrics()
        var configuration = Self.configuration(metrics: metrics)
        configuration.allowedOrigins = ["https://board.example"]
        let running = try await RunningServer.start(responder: Self.router(), configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        guard let hello = await client.hello() else { throw TestFailure("no HELLO") }
        let id = ConnectionID(hello.notice.connectionId)

        try running.server.sendToIndividual(id, PushMessage(url: "/one"))
        #expect(await client.pushes(count: 1).count == 1)
        let delivered = try metrics.expectCounter(SwitchboardMetrics.pushesDelivered)
        #expect(await running.eventually { delivered.totalValue == 1 })

        try await client.sendRaw([0xEE, 0x00, 0x01])
        _ = try await client.nextFrame()
        #expect(try metrics.expectCounter(SwitchboardMetrics.malformedFrames).totalValue == 1)

        let (answer, refused) = try await WebSocketTestClient.handshake(port: running.port, headers: [("Origin", "https://elsewhere.example")])
        #expect(answer.status == 403)
        #expect(refused == nil)
        let refusals = try metrics.expectCounter(SwitchboardMetrics.handshakesRefused, [(SwitchboardMetrics.Dimension.status, "403")])
        #expect(refusals.totalValue == 1)
        client.close()
        try await running.stop()
    }

    @Test("a slow consumer's close is counted, and pushes after it are dropped")
    func slowConsumerMetrics() async throws {
        let metrics = TestMetrics()
        var configuration = Self.configuration(metrics: metrics)
        configuration.maxOutboundBufferSize = 256 << 10
        configuration.outboundHighWaterMark = 64 << 10
        configuration.closeHandshakeTimeout = .seconds(30)
        let running = try await RunningServer.start(responder: Self.router(), configuration: configuration)
        let slow = try await WebSocketTestClient.connect(port: running.port, receiveBufferSize: 16 << 10)
        guard let hello = await slow.hello() else { throw TestFailure("no HELLO") }
        let connection = try #require(running.server.connection(ConnectionID(hello.notice.connectionId)))
        try await slow.stopReading()
        let push = try FrameCodec.encode(.push(PushFrame(url: "/feed", data: ArraySlice(repeating: 0x61, count: 64 << 10))))
        let closes = try metrics.expectCounter(SwitchboardMetrics.slowConsumerCloses)
        var pushes = 0
        while closes.totalValue == 0 && pushes < 1024 {
            connection.send(encodedFrame: push)
            pushes += 1
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(closes.totalValue == 1)
        // Whatever was held (a large batch may exceed the limit before anything is) was
        // dropped with the close.
        let held = metrics.meters.first { $0.label == SwitchboardMetrics.outboundHeldBytes }
        #expect((held?.lastValue ?? 0) == 0)

        let dropped = try metrics.expectCounter(SwitchboardMetrics.pushesDropped)
        let before = dropped.totalValue
        connection.send(encodedFrame: push)
        #expect(await running.eventually { dropped.totalValue > before })
        slow.close()
        try await running.stop()
    }

    @Test("each request gets one span named by its route pattern, with status, request id and connection id; async handlers run in it")
    func requestSpans() async throws {
        let tracer = InMemoryTracer()
        let running = try await RunningServer.start(responder: Self.router(tracer: tracer), configuration: Self.configuration(metrics: TestMetrics(), tracer: tracer))
        let client = try await WebSocketTestClient.connect(port: running.port)
        guard let hello = await client.hello() else { throw TestFailure("no HELLO") }
        #expect(try await client.request(.get, "/boards/7", id: 11).status == .ok)
        #expect(try await client.request(.get, "/later/1", id: 12).status == .created)
        #expect(try await client.request(.post, "/missing", id: 13).status == .notFound)

        let spans = tracer.finishedSpans
        let board = try #require(spans.first { $0.operationName == "GET /boards/:id" })
        #expect(board.kind == .server)
        #expect(board.attributes.get(SwitchboardTracing.statusCode) == .int64(200))
        #expect(board.attributes.get(SwitchboardTracing.requestID) == .int64(11))
        #expect(board.attributes.get(SwitchboardTracing.connectionID) == .string(hello.notice.connectionId))
        #expect(board.attributes.get(SwitchboardTracing.route) == .string("/boards/:id"))
        let later = try #require(spans.first { $0.operationName == "GET /later/:id" })
        #expect(later.attributes.get(SwitchboardTracing.statusCode) == .int64(201))
        let child = try #require(spans.first { $0.operationName == "child work" })
        #expect(child.parentSpanID == later.spanID)
        #expect(child.traceID == later.traceID)
        #expect(spans.contains { $0.operationName == "POST unmatched" && $0.attributes.get(SwitchboardTracing.statusCode) == .int64(404) })
        client.close()
        try await running.stop()
    }

    @Test("plain HTTP routes answer GET /healthz and GET /metrics in Prometheus text format; HEAD has no body")
    func plainHTTPRoutes() async throws {
        let registry = PrometheusCollectorRegistry()
        var configuration = Configuration()
        configuration.metricsFactory = PrometheusMetricsFactory(registry: registry)
        configuration.httpRoutes.get("/healthz") { .json(#"{"status":"ok"}"#) }
        configuration.httpRoutes.get("/metrics") { .text(registry.emitToString(), contentType: "text/plain; version=0.0.4") }
        let running = try await RunningServer.start(responder: Self.router(), configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        #expect(try await client.request(.get, "/boards/7").status == .ok)

        let health = try #require(try await RawTCPConnection.connect(port: running.port).exchange("GET /healthz?probe=1 HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(health.status == 200)
        #expect(health.header("content-type") == "application/json")
        #expect(health.body == #"{"status":"ok"}"#)

        let head = try #require(try await RawTCPConnection.connect(port: running.port).exchange("HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(head.status == 200)
        #expect(head.header("content-length") == "15")
        #expect(head.body.isEmpty)

        let post = try #require(try await RawTCPConnection.connect(port: running.port).exchange("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"))
        #expect(post.status == 404)

        let exported = try #require(try await RawTCPConnection.connect(port: running.port).exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"))
        #expect(exported.status == 200)
        #expect(exported.header("content-type") == "text/plain; version=0.0.4")
        #expect(exported.body.contains("switchboard_open_connections 1"))
        let requestLine = exported.body.split(separator: "\n").first { $0.hasPrefix("switchboard_requests_total{") && $0.contains(#"route="/boards/:id""#) }
        #expect(requestLine?.hasSuffix(" 1") == true)
        client.close()
        try await running.stop()
    }
}

/// A test's own failure, with what was missing.
private struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
