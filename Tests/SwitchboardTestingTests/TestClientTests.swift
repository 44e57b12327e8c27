import Foundation
import SwitchboardCore
import SwitchboardTesting
import Testing

@Suite("TestClient")
struct TestClientTests {
    struct User: Codable, Equatable, Sendable {
        var id: Int
        var name: String
    }

    private func router() -> Router {
        var router = Router()
        router.get("/users/:id") { req, _ in User(id: try req.params.require("id", as: Int.self), name: "Ada") }
        router.post("/users") { req, res async throws in
            res.status(.created)
            return try req.decode(User.self)
        }
        router.get("/whoami") { req, res in res.send(req.identity?.userId ?? "anonymous") }
        router.get("/connection") { req, res in res.send(req.connection.id.rawValue) }
        router.get("/request-id") { req, res in res.send("\(req.id)") }
        return router
    }

    @Test("get runs a synchronous route inline and decodes its JSON")
    func getInline() async throws {
        let client = TestClient(router())
        let res = try await client.get("/users/7")
        #expect(res.status == .ok)
        #expect(res.wasAnsweredInline)
        #expect(try res.decode(User.self) == User(id: 7, name: "Ada"))
    }

    @Test("post with a JSON body runs an asynchronous route through its pending reply")
    func postPending() async throws {
        let client = TestClient(router())
        let res = try await client.post("/users", json: User(id: 9, name: "Grace"))
        #expect(res.status == .created)
        #expect(!res.wasAnsweredInline)
        #expect(try res.decode(User.self) == User(id: 9, name: "Grace"))
    }

    @Test("the in-memory connection's identity is settable and reaches handlers")
    func connectionIdentity() async throws {
        let client = TestClient(router())
        #expect(try await client.get("/whoami").text == "anonymous")
        client.connection.identity = Identity(userId: "ada")
        #expect(try await client.get("/whoami").text == "ada")
        #expect(try await client.get("/connection").text == "test-1")
    }

    @Test("each request gets a new request id")
    func requestIDs() async throws {
        let client = TestClient(router())
        let first = try await client.get("/request-id").text
        let second = try await client.get("/request-id").text
        #expect(first != second)
    }

    @Test("error replies expose their message and 405/OPTIONS replies their allowed methods")
    func errorsAndAllow() async throws {
        let client = TestClient(router())
        let missing = try await client.get("/nothing")
        #expect(missing.status == .notFound)
        #expect(missing.errorMessage == "not found")
        let wrong = try await client.delete("/users/1")
        #expect(wrong.status == .methodNotAllowed)
        #expect(wrong.allowedMethods == ["GET", "HEAD", "OPTIONS"])
        #expect(try await client.options("/users/1").allowedMethods == ["GET", "HEAD", "OPTIONS"])
        let head = try await client.head("/users/1")
        #expect(head.status == .ok)
        #expect(head.body.isEmpty)
    }

    @Test("auth middleware can be tested end to end, with handshake identity or token")
    func auth() async throws {
        var router = Router()
        router.use(.bearerAuth { token in token == "secret" ? Identity(userId: "u1", roles: ["editor"]) : nil })
        router.put("/docs/:id", .requireRole("editor")) { req, res in res.send("saved \(req.params["id"] ?? "")") }
        let client = TestClient(router)
        #expect(try await client.put("/docs/1").status == .unauthorized)
        #expect(try await client.put("/docs/1?access_token=secret").text == "saved 1")
        client.connection.identity = Identity(userId: "viewer", roles: ["viewer"])
        #expect(try await client.put("/docs/1").status == .forbidden)
    }
}
