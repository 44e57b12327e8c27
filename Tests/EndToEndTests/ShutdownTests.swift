import Logging
import NIOCore
import ServiceLifecycle
import Switchboard
import Testing

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("shutdown answers the requests in flight, then closes every connection with 1001")
    func inFlightAnswered() async throws {
        let gate = Gate()
        let running = try await RunningServer.start(responder: TestResponder(gate: gate))
        let busy = try await WebSocketTestClient.connect(port: running.port)
        let idle = try await WebSocketTestClient.connect(port: running.port)
        for id in UInt32(1)...3 {
            try await busy.send(.request(RequestFrame(method: .get, id: id, url: "/gate")))
        }
        #expect(await running.eventually { gate.waiting == 3 })
        running.task.cancel()

        // The idle connection is closed at once; the busy one waits for its answers.
        #expect(await idle.nextClose()?.code == 1001)
        // A new request during the drain is refused, not run.
        try await busy.send(.request(RequestFrame(method: .get, id: 4, url: "/gate")))
        guard case .response(let late) = try await busy.nextFrame() else { Issue.record("no response"); return }
        #expect(late.id == 4)
        #expect(late.status == .serviceUnavailable)

        gate.open()
        var answered: Set<UInt32> = []
        for _ in 0..<3 {
            guard case .response(let response) = try await busy.nextFrame() else { break }
            #expect(response.status == .ok)
            answered.insert(response.id)
        }
        #expect(answered == [1, 2, 3])
        let close = await busy.nextClose()
        #expect(close?.code == 1001)
        #expect(close?.reason == "server shutting down")
        try await running.task.value
        #expect(running.server.port == nil)
    }

    @Test("requests still running at the shutdown deadline are cut off and run() returns")
    func deadline() async throws {
        var configuration = Configuration()
        configuration.shutdownDeadline = .milliseconds(200)
        let running = try await RunningServer.start(responder: TestResponder(gate: Gate()), configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.send(.request(RequestFrame(method: .get, id: 1, url: "/gate")))
        try await Task.sleep(for: .milliseconds(50))
        let clock = ContinuousClock()
        let start = clock.now
        try await running.stop()
        #expect(clock.now - start < .seconds(3))
        #expect(await client.waitUntilDisconnected())
    }

    @Test("as a Service, the server shuts down gracefully when its ServiceGroup does")
    func serviceGroup() async throws {
        var configuration = Configuration(host: "127.0.0.1", port: 0)
        configuration.shutdownDeadline = .seconds(2)
        var logger = Logger(label: "switchboard.test")
        logger.logLevel = .critical
        let server = Server(router: TestResponder(), configuration: configuration, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        let task = Task { try await group.run() }
        let port = try await server.waitUntilListening()
        let client = try await WebSocketTestClient.connect(port: port)
        #expect(try await client.request(.get, "/echo", id: 1).status == .ok)
        await group.triggerGracefulShutdown()
        #expect(await client.nextClose()?.code == 1001)
        try await task.value
    }
}
