import SwitchboardClient
import Testing

@Suite("Client heartbeat")
struct HeartbeatTests {
    @Test("a peer that stops answering (no pong, no traffic) is taken for dead and the client reconnects")
    func deadPeerDetected() async throws {
        let server = try await SilentServer.start()
        let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration {
            $0.heartbeatInterval = .milliseconds(100)
            $0.heartbeatTimeout = .milliseconds(300)
        })
        try await client.connect()
        #expect(server.connections == 1)
        #expect(await TestServer.eventually { server.connections >= 2 })
        await client.close()
        try await server.stop()
    }

    @Test("a live server answers the heartbeat's pings, so an idle connection stays open")
    func liveServerKeepsConnection() async throws {
        let server = try await TestServer.start()
        // Idle for 2 s: without pongs counted as traffic the connection would be dropped after
        // 1.2 s; the timeout leaves room for a busy machine's event-loop delays.
        let client = try await ClientTestSupport.connect(server) {
            $0.heartbeatInterval = .milliseconds(200)
            $0.heartbeatTimeout = .milliseconds(1200)
        }
        let states = Collected<ConnectionState>()
        let observer = Task { for await state in client.states { states.append(state) } }
        try await Task.sleep(for: .seconds(2))
        #expect(client.state == .open)
        #expect(states.all == [.open])
        observer.cancel()
        await client.close()
        try await server.stop()
    }
}
