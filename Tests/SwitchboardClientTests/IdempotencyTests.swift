import Switchboard
import SwitchboardClient
import Testing

@Suite("Idempotency keys, client and server")
struct IdempotencyTests {
    @Test("a repeated key is answered with the first answer without running the handler again")
    func repeatAnswered() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let key = RequestOptions(idempotencyKey: "k-1")
        #expect(try await client.post("/counter", options: key).text == "run 1")
        #expect(try await client.post("/counter", options: key).text == "run 1")
        #expect(try await client.post("/counter").text == "run 2")
        #expect(try await client.post("/counter").text == "run 3")
        #expect(server.app.counter == 3)
        await client.close()
        try await server.stop()
    }

    @Test("the same key on another path is answered 422")
    func keyReusedElsewhere() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let key = RequestOptions(idempotencyKey: "k-2")
        _ = try await client.post("/counter", options: key)
        let reused = try await client.post("/counter/other", options: key)
        #expect(reused.status == .unprocessableContent)
        #expect(reused.text == #"{"error":"idempotency key k-2 was first used for POST /counter"}"#)
        await client.close()
        try await server.stop()
    }

    @Test("a POST replayed after a dropped connection runs once and gets the first attempt's answer, given after the drop")
    func replayRunsOnce() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let posted = Task { try await client.post("/counter/gated") }
        #expect(await TestServer.eventually { server.app.gateWaiters == 1 })
        server.server?.connections.first?.close(code: 1011, reason: "test drop")
        #expect(await TestServer.eventually { client.state == .open && server.server?.connections.count == 1 })
        try await Task.sleep(for: .milliseconds(100))
        server.app.openGate()
        let replayed = try await posted.value
        #expect(replayed.status == .ok)
        #expect(replayed.text == "run 1")
        #expect(server.app.counter == 1)
        #expect(try await client.post("/counter").text == "run 2")
        await client.close()
        try await server.stop()
    }

    @Test("keys are remembered for a bounded count per user and a bounded time")
    func bounded() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        for key in ["a", "b", "c"] {
            _ = try await client.post("/counter/small", options: RequestOptions(idempotencyKey: key))
        }
        #expect(server.app.smallIdempotency.count(forUser: "") == 2)
        #expect(try await client.post("/counter/small", options: RequestOptions(idempotencyKey: "c")).text == "run 3")
        #expect(try await client.post("/counter/small", options: RequestOptions(idempotencyKey: "a")).text == "run 4")
        server.app.clock.advance(by: .seconds(61))
        #expect(try await client.post("/counter/small", options: RequestOptions(idempotencyKey: "c")).text == "run 5")
        #expect(server.app.smallIdempotency.count(forUser: "") == 1)
        await client.close()
        try await server.stop()
    }
}
