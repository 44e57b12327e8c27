import Testing
@testable import SwitchboardCore

@Suite("The pattern a router reports for the route that answered")
struct MatchedPatternTests {
    private func pattern(_ router: Router, _ method: SwitchboardCore.Method, _ url: String) -> String? {
        var pattern: String? = "not set"
        _ = router.respond(to: Request(method: method, url: url, body: [], id: 1, connection: FakeConnection()), pattern: &pattern)
        return pattern
    }

    @Test("the registered pattern with mount and group prefixes, never the url; nil for 404, 405 and automatic OPTIONS")
    func reportedPattern() {
        var users = Router()
        users.get("/:id") { _, res in res.end() }
        var router = Router()
        router.get("/boards/:id") { _, res in res.end() }
        router.use("/users", users)
        router.group("/admin") { admin in admin.delete("/boards/:id") { _, res in res.end() } }
        #expect(pattern(router, .get, "/boards/7?x=1") == "/boards/:id")
        #expect(pattern(router, .head, "/boards/7") == "/boards/:id")
        #expect(pattern(router, .get, "/users/42") == "/users/:id")
        #expect(pattern(router, .delete, "/admin/boards/9") == "/admin/boards/:id")
        #expect(pattern(router, .get, "/nowhere") == nil)
        #expect(pattern(router, .post, "/boards/7") == nil)
        #expect(pattern(router, .options, "/boards/7") == nil)
    }

    @Test("a responder that is not a router reports no pattern")
    func otherResponders() {
        struct Fixed: Responder {
            func respond(to request: Request) -> Dispatch { .completed(Reply(status: .ok)) }
        }
        var pattern: String? = "not set"
        _ = Fixed().respond(to: Request(method: .get, url: "/x", body: [], id: 1, connection: FakeConnection()), pattern: &pattern)
        #expect(pattern == nil)
    }
}
