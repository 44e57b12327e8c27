import Foundation
import Switchboard
import SwitchboardClient
import Testing

@Suite("Client requests")
struct RequestTests {
    @Test("get, post, head and options round-trip with status and body")
    func roundTrips() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let echoed = try await client.post("/echo", "hello".bytes)
        #expect(echoed.status == .ok)
        #expect(echoed.text == "hello")
        let head = try await client.head("/echo")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
        let options = try await client.options("/echo")
        #expect(options.status == .ok || options.status == .noContent)
        await client.close()
        try await server.stop()
    }

    @Test("an error status is returned by get, and thrown as .status by decode")
    func errorStatus() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let response = try await client.get("/status/409")
        #expect(response.status == .conflict)
        #expect(throws: SwitchboardClientError.status(code: 409, message: "status 409")) {
            try response.decode(Board.self)
        }
        let missing = try await client.get("/nowhere")
        #expect(missing.status == .notFound)
        await client.close()
        try await server.stop()
    }

    @Test("typed routes are called with their input and decode their output; non-2xx throws .status")
    func typedRoutes() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let board = try await client.call(TestAPI.getBoard, params: ["id": "7"])
        #expect(board == Board(id: 7, name: "Roadmap"))
        let created = try await client.call(TestAPI.createBoard, body: NewBoard(name: "Q3"))
        #expect(created == Board(id: 8, name: "Q3"))
        await #expect(throws: SwitchboardClientError.status(code: 404, message: "no board 9")) {
            try await client.call(TestAPI.getBoard, params: ["id": "9"])
        }
        await #expect(throws: SwitchboardClientError.invalidRequest("GET /boards/:id: no value for route parameter 'id'")) {
            try await client.call(TestAPI.getBoard)
        }
        await client.close()
        try await server.stop()
    }

    @Test("a request without an answer within its timeout fails with .timedOut")
    func timesOut() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        await #expect(throws: SwitchboardClientError.timedOut) {
            try await client.get("/slow?ms=2000", options: RequestOptions(timeout: .milliseconds(100)))
        }
        #expect(try await client.get("/echo").status == .ok)
        await client.close()
        try await server.stop()
    }

    @Test("1,000 concurrent requests on one client each get their own answer")
    func thousandConcurrent() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let mismatches = try await withThrowingTaskGroup(of: Bool.self) { group in
            for index in 0..<1000 {
                group.addTask {
                    let response = try await client.post("/echo", "request-\(index)".bytes)
                    return response.text == "request-\(index)"
                }
            }
            var mismatches = 0
            for try await matched in group where !matched { mismatches += 1 }
            return mismatches
        }
        #expect(mismatches == 0)
        await client.close()
        try await server.stop()
    }

    @Test("after close() every call fails at once with .closed")
    func closedFailsAtOnce() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        await client.close()
        #expect(client.state == .closed)
        await #expect(throws: SwitchboardClientError.closed) { try await client.get("/echo") }
        await #expect(throws: SwitchboardClientError.closed) { try await client.send("/typing") }
        await #expect(throws: SwitchboardClientError.closed) { try await client.connect() }
        try await server.stop()
    }

    @Test("a url the protocol cannot carry fails with .invalidRequest before anything is sent")
    func invalidURL() async throws {
        let client = try SwitchboardClient(url: "ws://127.0.0.1:1/ws")
        await #expect(throws: SwitchboardClientError.invalidRequest("invalid byte 0x20 in url at offset 2 (allowed: '!'...'~' except '|'; percent-encode the rest)")) {
            try await client.get("/a b")
        }
        #expect(throws: SwitchboardClientError.invalidRequest("the url must start with ws:// or wss://: http://x")) {
            try SwitchboardClient(url: "http://x")
        }
    }

    @Test("one-way messages reach the server's message handler in order")
    func messages() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        for index in 0..<5 { try await client.send("/typing", "\(index)".bytes) }
        #expect(await TestServer.eventually { server.app.recorded.count == 5 })
        #expect(server.app.recorded == (0..<5).map { "message /typing \($0)" })
        await client.close()
        try await server.stop()
    }

    @Test("429 and 503 answers to idempotent requests are retried; a POST is not")
    func busyRetries() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let retried = try await client.get("/busy/a")
        #expect(retried.status == .ok)
        #expect(retried.text == "done after 3")
        let posted = try await client.post("/busy/b")
        #expect(posted.status == .serviceUnavailable)
        await client.close()
        try await server.stop()
    }

    @Test("a 2xx body that is not the expected type fails with .decodingFailed")
    func decodingFailed() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let response = try await client.post("/echo", "not json".bytes)
        #expect {
            try response.decode(Board.self)
        } throws: { error in
            guard case .decodingFailed(let reason) = error as? SwitchboardClientError else { return false }
            return reason.hasPrefix("Board: ")
        }
        await client.close()
        try await server.stop()
    }

    @Test("cancelling the calling task fails its request with .cancelled and leaves the client usable")
    func cancelled() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let waiting = Task { try await client.get("/gate") }
        #expect(await TestServer.eventually { server.app.gateWaiters == 1 })
        waiting.cancel()
        await #expect(throws: SwitchboardClientError.cancelled) { try await waiting.value }
        #expect(try await client.get("/echo").status == .ok)
        server.app.openGate()
        await client.close()
        try await server.stop()
    }
}
