import Testing
@testable import SwitchboardCore

@Suite("Optional segments, several parameters in a segment, zero-or-more catch-all, case folding")
struct PatternFeatureTests {
    @Test("a trailing :name? matches with and without its segment; absent, it reads nil")
    func optionalParameter() async {
        var router = Router()
        router.get("/users/:id/:op?") { req, res in res.send("\(req.params["id"] ?? "-") \(req.params["op"] ?? "nil")") }
        #expect(await send(router, "/users/7").body == "7 nil")
        #expect(await send(router, "/users/7/").body == "7 nil")
        #expect(await send(router, "/users/7/edit").body == "7 edit")
        #expect(await send(router, "/users/7/edit/more").status == .notFound)
        #expect(await send(router, "/users").status == .notFound)
        #expect(router.match(.get, "/users/7")?.pattern == "/users/:id/:op?")
    }

    @Test("a static route beats the optional parameter, and a route taking the short form is a duplicate")
    func optionalPrecedenceAndDuplicates() async {
        let log = Log()
        var router = loggingRouter(log)
        router.get("/users/:id/:op?") { _, res in res.send("optional") }
        router.get("/users/:id/edit") { _, res in res.send("static") }
        router.get("/users/:id") { _, res in res.send("short") }
        #expect(await send(router, "/users/7/edit").body == "static")
        #expect(await send(router, "/users/7/view").body == "optional")
        #expect(await send(router, "/users/7").body == "optional")
        #expect(log.entries == ["Switchboard: route GET /users/:id is already registered; the new one is ignored"])
    }

    @Test(":name.:ext and :from-:to split one segment on the literal text between parameters")
    func severalParameters() async {
        var router = Router()
        router.get("/docs/:name.:ext") { req, res in res.send("\(req.params["name"] ?? "")|\(req.params["ext"] ?? "")") }
        router.get("/flights/:from-:to") { req, res in res.send("\(req.params["from"] ?? "")>\(req.params["to"] ?? "")") }
        router.get("/feeds/:id.json") { req, res in res.send("json \(req.params["id"] ?? "")") }
        router.get("/docs/:slug") { req, res in res.send("slug \(req.params["slug"] ?? "")") }
        #expect(await send(router, "/docs/readme.md").body == "readme|md")
        #expect(await send(router, "/docs/archive.tar.gz").body == "archive|tar.gz")
        #expect(await send(router, "/docs/readme").body == "slug readme")
        #expect(await send(router, "/docs/.md").body == "slug .md")
        #expect(await send(router, "/flights/LAX-SFO").body == "LAX>SFO")
        #expect(await send(router, "/feeds/42.json").body == "json 42")
        #expect(await send(router, "/feeds/42.xml").status == .notFound)
        #expect(await send(router, "/docs/a%20b.m%64").body == "a b|md")
        #expect(await send(router, "/docs/a%zz.md").status == .badRequest)
    }

    @Test("the segment with more literal text is tried first, whatever the registration order")
    func severalPartPrecedence() async {
        var router = Router()
        router.get("/f/:a.:b") { _, res in res.send("dot") }
        router.get("/f/:a.tar.:b") { _, res in res.send("tar") }
        #expect(await send(router, "/f/x.tar.gz").body == "tar")
        #expect(await send(router, "/f/x.zip").body == "dot")
    }

    @Test("**? matches zero or more segments; zero reads as the empty catch-all")
    func zeroOrMoreCatchAll() async {
        var router = Router()
        router.get("/files/**?") { req, res in res.send("[\(req.params.catchAll ?? "nil")]") }
        router.get("/strict/**") { req, res in res.send("[\(req.params.catchAll ?? "nil")]") }
        #expect(await send(router, "/files").body == "[]")
        #expect(await send(router, "/files/").body == "[]")
        #expect(await send(router, "/files/a/b.txt").body == "[a/b.txt]")
        #expect(await send(router, "/strict").status == .notFound)
        #expect(await send(router, "/strict/a").body == "[a]")
    }

    @Test("a case-insensitive router matches static text in any case and keeps parameter case")
    func caseInsensitive() async {
        var router = Router(configuration: RouterConfiguration(caseInsensitive: true))
        router.get("/Users/:id") { req, res in res.send(req.params["id"] ?? "") }
        router.get("/docs/:name.JSON") { req, res in res.send(req.params["name"] ?? "") }
        #expect(await send(router, "/users/AbC").body == "AbC")
        #expect(await send(router, "/USERS/x").body == "x")
        #expect(await send(router, "/docs/Readme.json").body == "Readme")
        var strict = Router()
        strict.get("/Users/:id") { _, res in res.send("ok") }
        #expect(await send(strict, "/users/1").status == .notFound)
        strict.configuration.caseInsensitive = true
        #expect(await send(strict, "/users/1").body == "ok")
    }

    @Test("patterns with optional or several-part segments are checked")
    func patternErrors() {
        func problem(_ text: String) -> String? {
            if case .failure(let error) = PathPattern.parse(text) { return error.description }
            return nil
        }
        #expect(problem("/a/:b?/c") == "only the last segment can be optional")
        #expect(problem("/a/:b:c") == "parameters in one segment must be separated by text starting with `.` or `-`")
        #expect(problem("/a/:b.:b") == "parameter `:b` appears twice")
        #expect(problem("/a/*?") == "a pattern cannot contain `?` except after a last `:name` or `**`")
        #expect(problem("/a/b?") == "a pattern cannot contain `?` except after a last `:name` or `**`")
        #expect(PathPattern("/a/:name.:ext/:op?").description == "/a/:name.:ext/:op?")
        #expect(PathPattern("/a/:name.:ext").captureNames == ["name", "ext"])
    }

    @Test("typed routes build urls for optional and several-part segments")
    func typedURLs() throws {
        let route = Route<Empty, Empty>.get("/docs/:name.:ext/:rev?")
        #expect(try route.url(params: ["name": "a b", "ext": "md"]) == "/docs/a%20b.md")
        #expect(try route.url(params: ["name": "a", "ext": "md", "rev": "3"]) == "/docs/a.md/3")
        var router = Router()
        router.register(route) { _, _ in Empty() }
        #expect(router.match(.get, try route.url(params: ["name": "a.b", "ext": "md"]))?.parameters["name"] == "a")
    }
}
