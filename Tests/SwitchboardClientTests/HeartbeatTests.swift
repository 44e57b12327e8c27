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
        #expect(await TestServer.eventually { server.connections == 1 })
        #expect(await TestServer.eventually { server.connections >= 2 })
        await client.close()
        try await server.stop()
    }
}
