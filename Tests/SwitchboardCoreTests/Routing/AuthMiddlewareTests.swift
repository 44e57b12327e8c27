import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Auth middleware")
struct AuthMiddlewareTests {
    private static let alice = Identity(userId: "alice", roles: ["admin"])
    private static let bob = Identity(userId: "bob", roles: ["member"])

    private static func verify(_ token: String) -> Identity? {
        switch token {
        case "alice-token": alice
        case "bob-token": bob
        case "old-token": Identity(userId: "old", expiresAt: Date(timeIntervalSinceNow: -60))
        default: nil
        }
    }

    private func router() -> Router {
        var router = Router()
        router.use(.bearerAuth(verify: AuthMiddlewareTests.verify))
        router.get("/me") { req, res in res.send(req.identity?.userId ?? "nobody") }
        router.group("/admin", .requireRole("admin")) { admin in
            admin.get("/stats") { _, res in res.send("stats") }
        }
        return router
    }

    @Test("no token and no connection identity is 401")
    func missingToken() async {
        let outcome = await send(router(), "/me")
        #expect(outcome.status == .unauthorized)
        #expect(outcome.json["error"] as? String == "missing bearer token")
    }

    @Test("an access_token query parameter is verified and the identity reaches the handler inline")
    func queryToken() async {
        let outcome = await send(router(), "/me?access_token=bob-token")
        #expect(outcome.status == .ok)
        #expect(outcome.body == "bob")
        #expect(outcome.inline)
    }

    @Test("a token verify rejects is 401, and so is an expired identity")
    func invalidToken() async {
        #expect(await send(router(), "/me?access_token=forged").status == .unauthorized)
        #expect(await send(router(), "/me?access_token=old-token").status == .unauthorized)
    }

    @Test("the connection's handshake identity is accepted without a token")
    func connectionIdentity() async {
        let outcome = await send(router(), "/me", identity: AuthMiddlewareTests.alice)
        #expect(outcome.body == "alice")
    }

    @Test("an expired connection identity without a token is 401")
    func expiredConnectionIdentity() async {
        let expired = Identity(userId: "carol", expiresAt: Date(timeIntervalSinceNow: -1))
        let outcome = await send(router(), "/me", identity: expired)
        #expect(outcome.status == .unauthorized)
        #expect(outcome.json["error"] as? String == "credentials expired")
    }

    @Test("a role check refuses an identity without the role with 403 and lets the role through")
    func roleCheck() async {
        #expect(await send(router(), "/admin/stats?access_token=bob-token").status == .forbidden)
        #expect(await send(router(), "/admin/stats?access_token=alice-token").body == "stats")
    }

    @Test("a role check without any identity is 401")
    func roleCheckWithoutAuth() async {
        var router = Router()
        router.get("/admin", .requireAnyRole("admin", "owner")) { _, res in res.send("ok") }
        #expect(await send(router, "/admin").status == .unauthorized)
        #expect(await send(router, "/admin", identity: Identity(userId: "o", roles: ["owner"])).body == "ok")
    }

    @Test("an asynchronous verify works too, through a task")
    func asyncVerify() async {
        var router = Router()
        router.use(.bearerAuth { token async throws in
            try await Task.sleep(for: .milliseconds(1))
            return token == "t" ? Identity(userId: "async") : nil
        })
        router.get("/me") { req, res in res.send(req.identity?.userId ?? "nobody") }
        let outcome = await send(router, "/me?access_token=t")
        #expect(outcome.body == "async")
        #expect(!outcome.inline)
        #expect(await send(router, "/me?access_token=x").status == .unauthorized)
    }

    @Test("auth refuses unknown paths with 401 before they can be probed")
    func authBeforeNotFound() async {
        #expect(await send(router(), "/no/such/path").status == .unauthorized)
        #expect(await send(router(), "/no/such/path?access_token=bob-token").status == .notFound)
    }
}
