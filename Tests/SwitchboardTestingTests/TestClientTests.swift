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

@Suite("TestClient authentication")
struct TestClientAuthenticationTests {
    private static func router() -> Router {
        var router = Router()
        router.use(.bearerAuth { (_: String) -> Identity? in nil })
        router.get("/whoami") { req, res in res.send(req.identity?.userId ?? "anonymous") }
        router.group("/admin", .requireRole("admin")) { admin in
            admin.get("/ping") { _, res in res.send("pong") }
        }
        return router
    }

    private static func verify(_ token: String) async -> Identity? {
        switch token {
        case "alice-token": Identity(userId: "alice")
        case "old-token": Identity(userId: "alice", expiresAt: Date(timeIntervalSince1970: 0))
        default: nil
        }
    }

    @Test("an anonymous test client gets 401 from a route behind bearer auth")
    func anonymousIsRefused() async throws {
        let res = try await TestClient(Self.router()).get("/whoami")
        #expect(res.status == .unauthorized)
    }

    @Test("authenticatedAs: requests carry the identity through bearer auth and role checks")
    func authenticatedAs() async throws {
        let alice = TestClient(Self.router(), authenticatedAs: Identity(userId: "alice"))
        let res = try await alice.get("/whoami")
        #expect(res.status == .ok)
        #expect(res.text == "alice")
        #expect(try await alice.get("/admin/ping").status == .forbidden)
        let root = alice.authenticated(as: Identity(userId: "root", roles: ["admin"]))
        #expect(try await root.get("/admin/ping").text == "pong")
        #expect(root.connection.roomRegistry === alice.connection.roomRegistry)
    }

    @Test("a token is verified like the handshake does: accepted, unknown and expired")
    func token() async throws {
        let alice = try await TestClient(Self.router(), token: "alice-token", verify: Self.verify)
        #expect(try await alice.get("/whoami").text == "alice")
        await #expect(throws: TestClientError.tokenRefused("invalid token")) {
            _ = try await TestClient(Self.router(), token: "nope", verify: Self.verify)
        }
        await #expect(throws: TestClientError.tokenRefused("token expired")) {
            _ = try await TestClient(Self.router(), token: "old-token", verify: Self.verify)
        }
    }
}
