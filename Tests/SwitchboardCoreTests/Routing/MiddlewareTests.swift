import Testing
@testable import SwitchboardCore

@Suite("Middleware")
struct MiddlewareTests {
    @Test("middleware runs in registration order and code after next() runs after the handler")
    func orderAndAfterNext() async {
        let log = Log()
        var router = Router()
        router.use { _, _, next in
            log.add("a before")
            try await next()
            log.add("a after")
        }
        router.use(.sync(before: { _, _ in log.add("b before") }, after: { _, _ in log.add("b after") }))
        router.get("/x", Middleware { _, _, next in
            log.add("route before")
            try await next()
            log.add("route after")
        }) { _, res in
            log.add("handler")
            res.send("ok")
        }
        let outcome = await send(router, "/x")
        #expect(outcome.body == "ok")
        #expect(log.entries == ["a before", "b before", "route before", "handler", "route after", "b after", "a after"])
    }

    @Test("after-next code sees the status the handler set")
    func afterNextSeesResponse() async {
        let log = Log()
        var router = Router()
        router.use { _, res, next in
            try await next()
            log.add("status \(res.statusCode)")
        }
        router.post("/x") { _, res in res.status(.created).send("made") }
        #expect(await send(router, .post, "/x").status == .created)
        #expect(log.entries == ["status 201"])
    }

    @Test("middleware that answers without calling next() stops the chain")
    func shortCircuit() async {
        let log = Log()
        var router = Router()
        router.use { _, res, _ in res.status(.tooManyRequests).send("slow down") }
        router.get("/x") { _, res in
            log.add("handler")
            res.send("ok")
        }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .tooManyRequests)
        #expect(outcome.body == "slow down")
        #expect(log.entries.isEmpty)
    }

    @Test("synchronous middleware that answers stops the chain, still inline")
    func syncShortCircuit() async {
        let log = Log()
        var router = Router()
        router.use(.sync { _, res in res.status(.forbidden).send("no") })
        router.get("/x") { _, res in
            log.add("handler")
            res.send("ok")
        }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .forbidden)
        #expect(outcome.inline)
        #expect(log.entries.isEmpty)
    }

    @Test("a route with only synchronous middleware and handler is answered inline; an async part makes it pending")
    func fastPath() async {
        var router = Router()
        router.use(.sync { req, _ in req.storage[Tag.self] = "tagged" })
        router.get("/sync") { req, res in res.send(req.storage[Tag.self] ?? "none") }
        router.get("/async") { req, res async in res.send(req.storage[Tag.self] ?? "none") }
        router.get("/async-middleware", Middleware { _, _, next in try await next() }) { _, res in res.send("x") }
        let sync = await send(router, "/sync")
        #expect(sync.inline)
        #expect(sync.body == "tagged")
        let async = await send(router, "/async")
        #expect(!async.inline)
        #expect(async.body == "tagged")
        #expect(!(await send(router, "/async-middleware")).inline)
    }

    @Test("error middleware receives errors thrown below it and can answer")
    func errorMiddleware() async {
        let log = Log()
        var router = Router()
        router.use(.error { error, _, res in
            log.add("caught \(error)")
            res.status(.conflict).send("handled")
        })
        router.use { _, _, next in
            try await next()
            log.add("not reached")
        }
        router.get("/x") { _, _ async throws in throw Boom() }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .conflict)
        #expect(outcome.body == "handled")
        #expect(log.entries == ["caught Boom()"])
    }

    @Test("error middleware that does not answer passes the error on to the default reply")
    func errorMiddlewarePassesOn() async {
        let log = Log()
        var router = Router()
        router.use(.error { error, _, _ in log.add("outer saw \(error)") })
        router.use(.error { error, _, _ async in log.add("inner saw \(error)") })
        router.get("/x") { _, _ in throw HTTPError(.notFound, "no such x") }
        let outcome = await send(router, "/x")
        #expect(outcome.status == .notFound)
        #expect(outcome.json["error"] as? String == "no such x")
        #expect(log.entries == ["inner saw 404 no such x", "outer saw 404 no such x"])
    }

    @Test("error middleware registered after a route does not guard it (Express order)")
    func errorMiddlewareOrder() async {
        var router = Router()
        router.get("/x") { _, _ in throw Boom() }
        router.use(.error { _, _, res in res.send("handled") })
        #expect(await send(router, "/x").status == .internalServerError)
    }

    @Test("middleware registered after a route does not run for it")
    func expressOrder() async {
        let log = Log()
        var router = Router()
        router.get("/early") { _, res in res.send("early") }
        router.use(.sync { _, _ in log.add("late middleware") })
        router.get("/late") { _, res in res.send("late") }
        _ = await send(router, "/early")
        #expect(log.entries.isEmpty)
        _ = await send(router, "/late")
        #expect(log.entries == ["late middleware"])
    }

    @Test("use(prefix, middleware) applies only to later routes under the prefix")
    func prefixedMiddleware() async {
        let log = Log()
        var router = Router()
        router.use("/admin", .sync { req, _ in log.add("admin \(req.path)") })
        router.get("/admin/users") { _, res in res.send("u") }
        router.get("/administrator") { _, res in res.send("not under /admin") }
        router.get("/public") { _, res in res.send("p") }
        _ = await send(router, "/admin/users")
        _ = await send(router, "/administrator")
        _ = await send(router, "/public")
        #expect(log.entries == ["admin /admin/users"])
    }

    @Test("nested groups add their prefixes and middleware, outermost first, only inside the group")
    func nestedGroups() async {
        let log = Log()
        var router = Router()
        router.group("/api", .sync { _, _ in log.add("api") }) { api in
            api.group("/v1") { v1 in
                v1.use(.sync { _, _ in log.add("v1") })
                v1.get("/boards/:id") { req, res in res.send("board \(req.params["id"] ?? "") at \(req.path)") }
            }
            api.get("/health") { _, res in res.send("up") }
        }
        router.get("/outside") { _, res in res.send("outside") }
        #expect(await send(router, "/api/v1/boards/7").body == "board 7 at /api/v1/boards/7")
        #expect(log.entries == ["api", "v1"])
        #expect(await send(router, "/api/health").body == "up")
        #expect(log.entries == ["api", "v1", "api"])
        #expect(await send(router, "/outside").body == "outside")
        #expect(log.entries == ["api", "v1", "api"])
    }

    @Test("a mounted sub-router sees paths relative to its prefix and the prefix's parameters")
    func mountedSubRouter() async {
        let log = Log()
        var cards = Router()
        cards.use(.sync { req, _ in log.add("cards middleware sees \(req.path)") })
        cards.get("/") { req, res in res.send("all cards of board \(req.params["boardId"] ?? "") at \(req.path)") }
        cards.get("/:cardId") { req, res in
            res.send("card \(req.params["cardId"] ?? "") of \(req.params["boardId"] ?? "") at \(req.path), originally \(req.originalPath)")
        }
        var router = Router()
        router.use(.sync { req, _ in log.add("root middleware sees \(req.path)") })
        router.use("/boards/:boardId/cards", cards)
        #expect(await send(router, "/boards/3/cards/9?x=1").body == "card 9 of 3 at /9, originally /boards/3/cards/9")
        #expect(log.entries == ["root middleware sees /boards/3/cards/9", "cards middleware sees /9"])
        #expect(await send(router, "/boards/3/cards").body == "all cards of board 3 at /")
    }

    @Test("sub-routers mounted inside mounted sub-routers see paths relative to their own mount")
    func doublyMounted() async {
        var inner = Router()
        inner.get("/leaf") { req, res in res.send(String(req.path)) }
        var middle = Router()
        middle.use("/inner", inner)
        middle.get("/here") { req, res in res.send(String(req.path)) }
        var router = Router()
        router.use("/outer", middle)
        #expect(await send(router, "/outer/inner/leaf").body == "/leaf")
        #expect(await send(router, "/outer/here").body == "/here")
    }

    @Test("a mounted router is a copy: routes added to it later are not served")
    func mountCopies() async {
        var sub = Router()
        sub.get("/a") { _, res in res.send("a") }
        var router = Router()
        router.use("/sub", sub)
        sub.get("/b") { _, res in res.send("b") }
        #expect(await send(router, "/sub/a").body == "a")
        #expect(await send(router, "/sub/b").status == .notFound)
    }

    @Test("404, 405 and automatic OPTIONS pass through path-less middleware, which may answer a custom 404")
    func fallbackThroughMiddleware() async {
        let log = Log()
        var router = Router()
        router.use(.sync { req, _ in log.add("logged \(req.path)") })
        router.get("/a") { _, res in res.send("a") }
        router.use { req, res, next in
            if req.path == "/custom" {
                res.status(.notFound).send("custom 404")
            } else {
                try await next()
            }
        }
        #expect(await send(router, "/missing").status == .notFound)
        #expect(await send(router, "/custom").body == "custom 404")
        #expect(await send(router, .post, "/a").status == .methodNotAllowed)
        #expect(log.entries == ["logged /missing", "logged /custom", "logged /a"])
    }

    @Test("typed storage carries what middleware learns to the handler")
    func typedStorage() async {
        var router = Router()
        router.use { req, _, next in
            req.storage[Tag.self] = "from middleware"
            req.storage[Counter.self] = 41
            try await next()
        }
        router.get("/x") { req, res in
            res.send("\(req.storage[Tag.self] ?? "nil") \((req.storage[Counter.self] ?? 0) + 1)")
        }
        #expect(await send(router, "/x").body == "from middleware 42")
    }
}

enum Tag: RequestStorageKey { typealias Value = String }
enum Counter: RequestStorageKey { typealias Value = Int }
struct Boom: Error {}
