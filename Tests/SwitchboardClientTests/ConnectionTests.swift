import Foundation
import Switchboard
@testable import SwitchboardClient
import Synchronization
import Testing

@Suite("Client connection, queue and reconnect")
struct ConnectionTests {
    @Test("calls made before the socket opens are queued and flushed in order")
    func queueFlushedInOrder() async throws {
        let server = try await TestServer.start()
        let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration())
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<10 {
            tasks.append(Task {
                if index % 2 == 0 {
                    _ = try await client.post("/record", "\(index)".bytes).requireSuccess()
                } else {
                    try await client.send("/record", "\(index)".bytes)
                }
            })
            // Each call is queued before the next is made, so the queue order is known.
            #expect(await TestServer.eventually { client.queuedCount == index + 1 })
        }
        #expect(client.state == .idle)
        try await client.connect()
        for task in tasks { try await task.value }
        #expect(await TestServer.eventually { server.app.recorded.count == 10 })
        #expect(server.app.recorded == (0..<10).map { $0 % 2 == 0 ? "\($0)" : "message /record \($0)" })
        await client.close()
        try await server.stop()
    }

    @Test("the queue is bounded: one call more than maxQueuedItems fails with .queueFull")
    func queueFull() async throws {
        let client = try SwitchboardClient(url: "ws://127.0.0.1:1/ws", configuration: ClientTestSupport.configuration { $0.maxQueuedItems = 2 })
        let first = Task { try await client.get("/a") }
        let second = Task { try await client.get("/b") }
        #expect(await TestServer.eventually { client.queuedCount == 2 })
        await #expect(throws: SwitchboardClientError.queueFull) { try await client.get("/c") }
        await #expect(throws: SwitchboardClientError.notConnected) {
            try await client.get("/d", options: RequestOptions(queueWhileDisconnected: false))
        }
        await client.close()
        await #expect(throws: SwitchboardClientError.closed) { try await first.value }
        await #expect(throws: SwitchboardClientError.closed) { try await second.value }
    }

    @Test("a request queued while the server is down fails with .queueTimedOut after its queue timeout")
    func queuedRequestTimesOut() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server) {
            $0.reconnect = ReconnectPolicy(minimumDelay: .milliseconds(50), maximumDelay: .milliseconds(200))
        }
        try await server.stop()
        #expect(await TestServer.eventually {
            if case .reconnecting = client.state { return true }
            return false
        })
        let started = ContinuousClock.now
        await #expect(throws: SwitchboardClientError.queueTimedOut(300)) {
            try await client.get("/echo", options: RequestOptions(queueTimeout: .milliseconds(300)))
        }
        #expect(ContinuousClock.now - started >= .milliseconds(290))
        await client.close()
    }

    @Test("server stopped and restarted on the same port: the client reconnects, rejoins rooms, and a call made during the outage succeeds")
    func reconnectsAfterRestart() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let states = Collected<ConnectionState>()
        let observer = Task { for await state in client.states { states.append(state) } }
        try await client.join("board-7")
        let pushes = Collected<String>()
        client.on("/boards/:id/tasks") { push in pushes.append("\(push.params["id"] ?? "?") \(push.text)") }

        try await server.stop()
        #expect(await TestServer.eventually { client.state != .open })
        let duringOutage = Task { try await client.post("/echo", "while down".bytes, options: RequestOptions(queueTimeout: .seconds(10))) }
        try await Task.sleep(for: .milliseconds(200))
        try await server.restart()

        let response = try await duringOutage.value
        #expect(response.text == "while down")
        #expect(client.state == .open)
        #expect(await TestServer.eventually { (try? server.push("/boards/7/tasks", "{\"n\":1}", to: "board-7")) == 1 })
        #expect(await TestServer.eventually { pushes.all == ["7 {\"n\":1}"] })
        #expect(states.all.first == .open)
        #expect(states.all.contains { if case .reconnecting = $0 { true } else { false } })
        #expect(states.all.last == .open)
        observer.cancel()
        await client.close()
        try await server.stop()
    }

    @Test("an idempotent request in flight when the connection drops is replayed; a POST without key fails with .connectionLost")
    func replayAfterDrop() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server) { $0.automaticIdempotencyKeys = false }
        let replayed = Task { try await client.get("/gate") }
        let lost = Task { try await client.post("/gate") }
        #expect(await TestServer.eventually { server.app.gateWaiters == 2 })
        server.server?.connections.first?.close(code: 1011, reason: "test drop")
        #expect(await TestServer.eventually { server.app.gateWaiters == 3 })
        await #expect(throws: SwitchboardClientError.connectionLost) { try await lost.value }
        server.app.openGate()
        #expect(try await replayed.value.text == "opened")
        await client.close()
        try await server.stop()
    }

    @Test("a POST in flight when the connection drops is replayed with its idempotency key")
    func keyedPostReplayed() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let posted = Task { try await client.post("/gate") }
        #expect(await TestServer.eventually { server.app.gateWaiters == 1 })
        server.server?.connections.first?.close(code: 1011, reason: "test drop")
        #expect(await TestServer.eventually { server.app.gateWaiters == 2 })
        server.app.openGate()
        #expect(try await posted.value.text == "opened")
        await client.close()
        try await server.stop()
    }

    @Test("a handshake refused with 401 stops reconnecting after the token provider was asked once more")
    func refusedHandshakeStops() async throws {
        let server = try await TestServer.start(authentication: TokenAuthentication { $0 == "good" ? Identity(userId: "alice") : nil })
        let asked = Mutex(0)
        let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration {
            $0.tokenProvider = {
                asked.withLock { $0 += 1 }
                return "bad"
            }
        })
        await #expect(throws: SwitchboardClientError.handshakeRefused(status: 401, reason: "invalid token")) {
            try await client.connect()
        }
        #expect(client.state == .closed)
        #expect(client.closeReason == .handshakeRefused(status: 401, reason: "invalid token"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(asked.withLock { $0 } == 2)
        await #expect(throws: SwitchboardClientError.handshakeRefused(status: 401, reason: "invalid token")) {
            try await client.get("/echo")
        }
        try await server.stop()
    }

    @Test("a 401 answer makes the client refresh its token in-band and retry once")
    func inBandRefresh() async throws {
        let tokens = Mutex(["short", "fresh"])
        let server = try await TestServer.start(authentication: TokenAuthentication { token in
            switch token {
            case "short": Identity(userId: "alice", expiresAt: Date().addingTimeInterval(0.3))
            case "fresh": Identity(userId: "alice")
            default: nil
            }
        })
        let client = try await ClientTestSupport.connect(server) {
            $0.tokenProvider = { tokens.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] } }
        }
        #expect(try await client.get("/whoami").text == "alice")
        try await Task.sleep(for: .milliseconds(400))
        let response = try await client.get("/whoami")
        #expect(response.status == .ok)
        #expect(response.text == "alice")
        await client.close()
        try await server.stop()
    }

    @Test("the connection states are observable in order")
    func observableStates() async throws {
        let server = try await TestServer.start()
        let client = try SwitchboardClient(url: server.url, configuration: ClientTestSupport.configuration())
        let states = Collected<ConnectionState>()
        let observer = Task { for await state in client.states { states.append(state) } }
        #expect(await TestServer.eventually { states.count == 1 })
        try await client.connect()
        await client.close()
        await observer.value
        #expect(states.all == [.idle, .connecting, .open, .closing, .closed])
        try await server.stop()
    }

    @Test("with no attempts left, connect() fails with .connectionFailed")
    func noAttemptsLeft() async throws {
        let client = try SwitchboardClient(url: "ws://127.0.0.1:1/ws", configuration: ClientTestSupport.configuration {
            $0.reconnect = ReconnectPolicy(minimumDelay: .milliseconds(10), maxAttempts: 2)
        })
        await #expect {
            try await client.connect()
        } throws: { error in
            guard case .connectionFailed(let reason) = error as? SwitchboardClientError else { return false }
            return reason.contains("127.0.0.1:1")
        }
        #expect(client.state == .closed)
    }

    @Test("the attempt count grows across quick losses and starts again at 1 after a connection stayed up resetAfter")
    func attemptCountResets() async throws {
        for (resetAfter, expected) in [(Duration.seconds(10), 2), (Duration.milliseconds(100), 1)] {
            let server = try await TestServer.start()
            let client = try await ClientTestSupport.connect(server) {
                $0.reconnect = ReconnectPolicy(minimumDelay: .milliseconds(20), maximumDelay: .milliseconds(40), resetAfter: resetAfter)
            }
            let states = Collected<ConnectionState>()
            let observer = Task { for await state in client.states { states.append(state) } }
            for _ in 0..<2 {
                try await Task.sleep(for: .milliseconds(200))
                #expect(await TestServer.eventually { server.server?.connections.count == 1 })
                server.server?.connections.first?.close(code: 1011, reason: "test drop")
                #expect(await TestServer.eventually { client.state != .open })
                #expect(await TestServer.eventually { client.state == .open && server.server?.connections.count == 1 })
            }
            #expect(states.all.last { if case .reconnecting = $0 { true } else { false } } == .reconnecting(attempt: expected))
            observer.cancel()
            await client.close()
            try await server.stop()
        }
    }

    @Test("a handshake refused with 401 while reconnecting stops the client and fails the queued calls with the refusal")
    func refusedWhileReconnecting() async throws {
        let server = try await TestServer.start(authentication: TokenAuthentication { $0 == "good" ? Identity(userId: "alice") : nil })
        let tokens = Mutex(["good"])
        let client = try await ClientTestSupport.connect(server) {
            $0.tokenProvider = { tokens.withLock { $0.isEmpty ? "banned" : $0.removeFirst() } }
        }
        // The client is open once the upgrade response arrives; the server registers the
        // connection just after, so wait for it before closing it from the server.
        #expect(await TestServer.eventually { server.server?.connections.count == 1 })
        server.server?.connections.first?.close(code: 1008, reason: "credentials revoked")
        #expect(await TestServer.eventually { client.state != .open })
        let queued = Task { try await client.get("/echo") }
        await #expect(throws: SwitchboardClientError.handshakeRefused(status: 401, reason: "invalid token")) { try await queued.value }
        #expect(client.state == .closed)
        #expect(client.closeReason == .handshakeRefused(status: 401, reason: "invalid token"))
        try await server.stop()
    }
}
