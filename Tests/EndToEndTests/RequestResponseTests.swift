import NIOCore
import NIOPosix
import Switchboard
import Testing

@Suite("Requests and responses over a real socket")
struct RequestResponseTests {
    @Test("a request is answered with a response carrying its id")
    func requestResponse() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        #expect(client.answer.headers["sec-websocket-protocol"] == FrameCodec.subprotocol)
        let response = try await client.request(.get, "/echo", body: "hello", id: 42)
        #expect(response.id == 42)
        #expect(response.status == .ok)
        #expect(String(decoding: response.data, as: UTF8.self) == "hello")
        let missing = try await client.request(.get, "/nowhere", id: 43)
        #expect(missing.status == .notFound)
        client.close()
        try await running.stop()
    }

    @Test("pushes a handler makes to its own connection before answering arrive before its RESPONSE, inline or awaited, on the event loop or off it")
    func pushesBeforeResponse() async throws {
        var router = Router()
        router.get("/notify") { req, res in
            res.push(PushMessage(url: "/first"), to: .connection(req.connection.id))
            res.push(PushMessage(url: "/second"), to: .connection(req.connection.id))
            res.send("inline")
        }
        router.get("/notify-later") { req, res async in
            try? await Task.sleep(for: .milliseconds(5))
            res.push(PushMessage(url: "/later"), to: .connection(req.connection.id))
            res.send("awaited")
        }
        for onEventLoop in [true, false] {
            var configuration = Configuration()
            configuration.runsAsyncHandlersOnEventLoop = onEventLoop
            let running = try await RunningServer.start(responder: router, configuration: configuration)
            let client = try await WebSocketTestClient.connect(port: running.port)
            for (id, url, expected) in [(UInt32(1), "/notify", ["/first", "/second"]), (2, "/notify-later", ["/later"])] {
                try await client.send(.request(RequestFrame(method: .get, id: id, url: url)))
                var pushed: [String] = []
                while true {
                    let frame = try await client.nextFrame()
                    if case .response(let response) = frame {
                        #expect(response.id == id)
                        break
                    }
                    let inner: [Frame] = if case .batch(let frames) = frame { frames } else { [frame] }
                    for case .push(let push) in inner { pushed.append(push.url) }
                }
                #expect(pushed == expected, "on the event loop: \(onEventLoop)")
            }
            client.close()
            try await running.stop()
        }
    }

    @Test("replies of every WebSocket length encoding arrive whole (the server writes their frame headers itself)")
    func replyLengths() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        // A response frame adds 8 bytes (kind, status, id, "||") to the body: these bodies make
        // payloads of 8, 125, 126, 127, 65535, 65536 and 300,008 bytes.
        for (index, bytes) in [0, 117, 118, 119, 65527, 65528, 300_000].enumerated() {
            let response = try await client.request(.get, "/big?bytes=\(bytes)", id: UInt32(index + 1))
            #expect(response.id == UInt32(index + 1))
            #expect(response.status == .ok)
            #expect(response.data.count == bytes)
            #expect(response.data.allSatisfy { $0 == UInt8(ascii: "x") })
        }
        #expect(try await client.request(.get, "/echo", body: "still here", id: 99).status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("100 requests in flight on one socket are all answered, correlated by id")
    func hundredInFlight() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        for id in UInt32(1)...100 {
            // Even ids wait a varying time so answers come back out of order.
            let url = id % 2 == 0 ? "/slow?ms=\((100 - id) / 2)" : "/echo"
            try client.sendWithoutWaiting(.request(RequestFrame(method: .get, id: id, url: url, data: ArraySlice("body-\(id)".utf8))))
        }
        var answered: [UInt32] = []
        for _ in 0..<100 {
            guard case .response(let response) = try await client.nextFrame() else { Issue.record("not a response"); break }
            #expect(response.status == .ok)
            #expect(String(decoding: response.data, as: UTF8.self) == "body-\(response.id)")
            answered.append(response.id)
        }
        #expect(Set(answered) == Set(1...100))
        #expect(answered != answered.sorted())
        client.close()
        try await running.stop()
    }

    @Test("a batch of requests is answered request by request")
    func batch() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.send(.batch([
            .request(RequestFrame(method: .get, id: 1, url: "/echo", data: ArraySlice("a".utf8))),
            .request(RequestFrame(method: .get, id: 2, url: "/echo", data: ArraySlice("b".utf8))),
        ]))
        let first = try await client.nextFrame()
        let second = try await client.nextFrame()
        #expect(first == .response(ResponseFrame(id: 1, status: .ok, data: ArraySlice("a".utf8))))
        #expect(second == .response(ResponseFrame(id: 2, status: .ok, data: ArraySlice("b".utf8))))
        client.close()
        try await running.stop()
    }

    @Test("above the in-flight limit a request gets 429 and the connection stays open")
    func inFlightLimit() async throws {
        let gate = Gate()
        var configuration = Configuration()
        configuration.maxInFlightRequests = 3
        let running = try await RunningServer.start(responder: TestResponder(gate: gate), configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        for id in UInt32(1)...4 {
            try await client.send(.request(RequestFrame(method: .get, id: id, url: "/gate")))
        }
        guard case .response(let refused) = try await client.nextFrame() else { Issue.record("not a response"); return }
        #expect(refused.id == 4)
        #expect(refused.status == .tooManyRequests)
        // Inline requests do not count against the limit.
        let echo = try await client.request(.get, "/echo", body: "still here", id: 5)
        #expect(echo.status == .ok)
        gate.open()
        var opened: Set<UInt32> = []
        for _ in 0..<3 {
            guard case .response(let response) = try await client.nextFrame() else { break }
            #expect(response.status == .ok)
            opened.insert(response.id)
        }
        #expect(opened == [1, 2, 3])
        client.close()
        try await running.stop()
    }

    @Test("one-way messages reach the message handler with their connection")
    func messages() async throws {
        let received = EventInbox<(String, String, ConnectionID)>()
        let running = try await RunningServer.start(onMessage: { message in
            received.push((message.url, String(decoding: message.data, as: UTF8.self), message.connection.id))
        })
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.send(.message(MessageFrame(id: 7, url: "/typing", data: ArraySlice("yes".utf8))))
        let message = await received.next(timeout: .seconds(5), on: client.channel.eventLoop)
        #expect(message?.0 == "/typing")
        #expect(message?.1 == "yes")
        #expect(message.map { running.server.connection($0.2) != nil } == true)
        client.close()
        try await running.stop()
    }

    @Test("a push sent through a Connection reaches its client")
    func push() async throws {
        let running = try await RunningServer.start()
        let client = try await WebSocketTestClient.connect(port: running.port)
        #expect(await running.eventually { running.server.connections.count == 1 })
        let connection = try #require(running.server.connections.first)
        try connection.send(.push(PushFrame(url: "/boards/1/updated", data: ArraySlice("{}".utf8))))
        let frame = try await client.nextFrame()
        #expect(frame == .push(PushFrame(url: "/boards/1/updated", data: ArraySlice("{}".utf8))))
        client.close()
        try await running.stop()
    }

    /// Waits (up to 10 s) and reports whether it was cancelled.
    struct CancellationProbe: Responder {
        let cancelled: EventInbox<UInt32>
        func respond(to request: Request) -> Dispatch {
            let cancelled = self.cancelled
            let id = request.id
            return .pending(PendingReply {
                try? await Task.sleep(for: .seconds(10))
                if Task.isCancelled { cancelled.push(id) }
                return Reply(status: .ok)
            })
        }
    }

    @Test("an async handler past the router's deadline is answered 504 by the connection and cancelled; others on the socket are not held up")
    func deadlineOnTheServer() async throws {
        let cancelled = EventInbox<String>()
        var router = Router(configuration: RouterConfiguration(handlerDeadline: .seconds(3)))
        router.get("/hang") { _, _ async throws in
            do {
                try await Task.sleep(for: .seconds(30))
            } catch {
                cancelled.push("hang")
                throw error
            }
        }
        router.get("/quick") { _, res async in
            // Nothing here hops elsewhere, so the handler runs on an event loop.
            res.send(MultiThreadedEventLoopGroup.currentEventLoop != nil ? "on an event loop" : "elsewhere")
        }
        let running = try await RunningServer.start(responder: router)
        let client = try await WebSocketTestClient.connect(port: running.port)
        let clock = ContinuousClock()
        let start = clock.now
        try client.sendWithoutWaiting(.request(RequestFrame(method: .get, id: 1, url: "/hang")))
        let quick = try await client.request(.get, "/quick", id: 2)
        #expect(quick.status == .ok)
        #expect(String(decoding: quick.data, as: UTF8.self) == "on an event loop")
        // Answered while the hanging request still waits for its deadline.
        #expect(clock.now - start < .seconds(3))
        guard case .response(let late) = try await client.nextFrame() else {
            Issue.record("expected a response")
            return
        }
        #expect(late.id == 1)
        #expect(late.status == .gatewayTimeout)
        #expect(clock.now - start >= .milliseconds(2900))
        #expect(clock.now - start < .seconds(10))
        #expect(await cancelled.next(timeout: .seconds(5), on: client.channel.eventLoop) == "hang")
        // The socket still answers.
        #expect(try await client.request(.get, "/quick", id: 3).status == .ok)
        client.close()
        try await running.stop()
    }

    @Test("with runsAsyncHandlersOnEventLoop off, async handlers run off the event loops and are still answered")
    func asyncHandlersOffTheLoop() async throws {
        var router = Router()
        router.get("/where") { _, res async in
            res.send(MultiThreadedEventLoopGroup.currentEventLoop != nil ? "on an event loop" : "elsewhere")
        }
        var configuration = Configuration()
        configuration.runsAsyncHandlersOnEventLoop = false
        let running = try await RunningServer.start(responder: router, configuration: configuration)
        let client = try await WebSocketTestClient.connect(port: running.port)
        for id in UInt32(1)...20 {
            try client.sendWithoutWaiting(.request(RequestFrame(method: .get, id: id, url: "/where")))
        }
        var answered: Set<UInt32> = []
        for _ in 1...20 {
            guard case .response(let response) = try await client.nextFrame() else { Issue.record("not a response"); break }
            #expect(String(decoding: response.data, as: UTF8.self) == "elsewhere")
            answered.insert(response.id)
        }
        #expect(answered == Set(1...20))
        client.close()
        try await running.stop()
    }

    @Test("when a connection closes, its requests still running are cancelled")
    func cancelledOnClose() async throws {
        let cancelled = EventInbox<UInt32>()
        let running = try await RunningServer.start(responder: CancellationProbe(cancelled: cancelled))
        let client = try await WebSocketTestClient.connect(port: running.port)
        try await client.send(.request(RequestFrame(method: .get, id: 77, url: "/wait")))
        try await Task.sleep(for: .milliseconds(50))
        client.close()
        #expect(await cancelled.next(timeout: .seconds(5), on: client.channel.eventLoop) == 77)
        try await running.stop()
    }
}
