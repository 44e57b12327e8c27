import Switchboard
import SwitchboardClient
import Testing

@Suite("Client pushes and rooms")
struct PushTests {
    @Test("a listener gets matching pushes with the pattern's params until stopListening()")
    func stopListening() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        try await client.join("board-7")
        let stopped = Collected<ClientPush>()
        let kept = Collected<ClientPush>()
        let subscription = client.on("/boards/:id/tasks") { stopped.append($0) }
        client.on("/boards/*/tasks") { kept.append($0) }
        client.on("/other") { _ in Issue.record("a push reached a listener whose pattern does not match") }

        try server.push("/boards/7/tasks", "first", to: "board-7")
        #expect(await TestServer.eventually { stopped.count == 1 && kept.count == 1 })
        #expect(stopped.all.first?.params == ["id": "7"])
        #expect(stopped.all.first?.room == "board-7")
        #expect(stopped.all.first?.text == "first")

        subscription.stopListening()
        try server.push("/boards/7/tasks", "second", to: "board-7")
        #expect(await TestServer.eventually { kept.count == 2 })
        #expect(stopped.count == 1)
        await client.close()
        try await server.stop()
    }

    @Test("pushes(matching:) is an async sequence of pushes, in the order they were sent")
    func asyncSequence() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        try await client.join("board-3")
        let stream = client.pushes(matching: "/boards/:id/**")
        let reader = Task {
            var seen: [String] = []
            for await push in stream {
                seen.append("\(push.params["id"] ?? "?") \(push.params["**"] ?? "?") \(push.text)")
                if seen.count == 50 { break }
            }
            return seen
        }
        for index in 0..<50 { try server.push("/boards/3/tasks/\(index)", "\(index)", to: "board-3") }
        let seen = await reader.value
        #expect(seen == (0..<50).map { "3 tasks/\($0) \($0)" })
        await client.close()
        try await server.stop()
    }

    @Test("join and leave go through the reserved room routes; a refused join is .status(403)")
    func joinAndLeave() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let state = try await client.join("board-9")
        #expect(state.room == "board-9")
        #expect(state.memberCount == 1)
        #expect(client.joinedRooms == ["board-9"])
        await #expect(throws: SwitchboardClientError.status(code: 403, message: "cannot join room secret: only board-… rooms")) {
            try await client.join("secret")
        }
        #expect(try await client.leave("board-9"))
        #expect(client.joinedRooms.isEmpty)
        #expect(try server.push("/boards/9/tasks", to: "board-9") == 0)
        await client.close()
        try await server.stop()
    }

    @Test("push sequences finish when the client is closed")
    func sequencesFinish() async throws {
        let server = try await TestServer.start()
        let client = try await ClientTestSupport.connect(server)
        let stream = client.pushes(matching: "/**")
        let reader = Task { for await _ in stream {} }
        await client.close()
        await reader.value
        try await server.stop()
    }
}
