import Switchboard
import Testing

@Suite("A Router behind the server")
struct RouterTests {
    @Test("synchronous and asynchronous routes, middleware auth and 404/405 over a real socket")
    func router() async throws {
        var router = Router()
        router.use(.bearerAuth { token in token == "t" ? Identity(userId: "u1", roles: ["admin"]) : nil })
        router.get("/boards/:id") { req, _ in "board \(try req.params.require("id"))" }
        router.post("/later") { _, _ async throws in
            try await Task.sleep(for: .milliseconds(20))
            return "later"
        }
        router.delete("/boards/:id", .requireRole("owner")) { _, res in res.end() }
        var configuration = Configuration(host: "127.0.0.1", port: 0)
        configuration.shutdownDeadline = .seconds(2)
        let server = Server(router: router, configuration: configuration, authentication: TokenAuthentication { $0 == "t" ? Identity(userId: "u1") : nil })
        let task = Task { try await server.run() }
        let port = try await server.waitUntilListening()
        let client = try await WebSocketTestClient.connect(port: port, headers: [("Authorization", "Bearer t")])

        let board = try await client.request(.get, "/boards/7", id: 1)
        #expect(board.status == .ok)
        #expect(String(decoding: board.data, as: UTF8.self) == #""board 7""#)
        #expect(try await client.request(.post, "/later", id: 2).status == .ok)
        #expect(try await client.request(.delete, "/boards/7", id: 3).status == .forbidden)
        #expect(try await client.request(.put, "/boards/7", id: 4).status == .methodNotAllowed)
        #expect(try await client.request(.get, "/nowhere", id: 5).status == .notFound)
        client.close()
        task.cancel()
        try await task.value
    }
}
