import Testing
@testable import SwitchboardCore

@Suite("Router matching")
struct RouterMatchingTests {
    /// Registers the same routes in the given order, each answering its own pattern.
    private func router(registering patterns: [String]) -> Router {
        var router = Router()
        for pattern in patterns {
            router.get(pattern) { _, res in res.send(pattern) }
        }
        return router
    }

    @Test("static beats :param beats * beats ** whatever the registration order")
    func precedenceIndependentOfOrder() async {
        let patterns = ["/files/readme", "/files/:name", "/files/*", "/files/**"]
        for order in [patterns, Array(patterns.reversed()), [patterns[2], patterns[0], patterns[3], patterns[1]]] {
            let router = router(registering: order)
            #expect(await send(router, "/files/readme").body == "/files/readme")
            #expect(await send(router, "/files/other").body == "/files/:name")
            #expect(await send(router, "/files/a/b").body == "/files/**")
        }
    }

    @Test("a wildcard beats a catch-all, and a catch-all takes what nothing else does")
    func wildcardBeatsCatchAll() async {
        for order in [["/a/*", "/a/**"], ["/a/**", "/a/*"]] {
            let router = router(registering: order)
            #expect(await send(router, "/a/x").body == "/a/*")
            #expect(await send(router, "/a/x/y").body == "/a/**")
        }
    }

    @Test("matching backtracks from a static branch that leads nowhere to a parameter branch")
    func backtracking() async {
        var router = Router()
        router.get("/users/me/settings") { _, res in res.send("settings") }
        router.get("/users/:id/posts") { req, res in res.send("posts of \(req.params["id"] ?? "")") }
        #expect(await send(router, "/users/me/posts").body == "posts of me")
        #expect(await send(router, "/users/me/settings").body == "settings")
    }

    @Test("a method missing on the static route is found on the parameter route")
    func backtrackingByMethod() async {
        var router = Router()
        router.get("/users/me") { _, res in res.send("me") }
        router.delete("/users/:id") { req, res in res.send("deleted \(req.params["id"] ?? "")") }
        #expect(await send(router, .delete, "/users/me").body == "deleted me")
        #expect(await send(router, .get, "/users/me").body == "me")
    }

    @Test("parameters are percent-decoded when read; + stays +")
    func parameterDecoding() async {
        var router = Router()
        router.get("/users/:name/files/:file") { req, res in
            res.send("\(req.params["name"] ?? "nil")|\(req.params["file"] ?? "nil")")
        }
        #expect(await send(router, "/users/J%C3%BCrgen%20M/files/a%2Fb+c").body == "Jürgen M|a/b+c")
    }

    @Test("a malformed escape in a parameter is answered 400 without running the handler")
    func malformedEscape() async {
        let log = Log()
        var router = Router()
        router.get("/users/:name") { _, res in
            log.add("handler")
            res.send("ran")
        }
        for url in ["/users/%G1", "/users/abc%", "/users/%4"] {
            let outcome = await send(router, url)
            #expect(outcome.status == .badRequest)
            #expect(outcome.json["error"] as? String == #"malformed percent-encoding in path parameter "name""#)
        }
        #expect(log.entries.isEmpty)
    }

    @Test("typed parameter access answers 400 when the value does not convert")
    func typedParameter() async {
        var router = Router()
        router.get("/boards/:id") { req, res in res.send("\(try req.params.require("id", as: Int.self) + 1)") }
        #expect(await send(router, "/boards/41").body == "42")
        #expect(await send(router, "/boards/x").status == .badRequest)
    }

    @Test("the catch-all captures one or more remaining segments, decoded, without a trailing slash")
    func catchAll() async {
        var router = Router()
        router.get("/static/**") { req, res in res.send(req.params.catchAll ?? "nil") }
        #expect(await send(router, "/static/css/site%20main.css").body == "css/site main.css")
        #expect(await send(router, "/static/a/").body == "a")
        #expect(await send(router, "/static").status == .notFound)
        #expect(await send(router, "/static/").status == .notFound)
    }

    @Test("wildcard values are readable under *")
    func wildcardValue() async {
        var router = Router()
        router.get("/a/*/c") { req, res in res.send(req.params["*"] ?? "nil") }
        #expect(await send(router, "/a/b/c").body == "b")
    }

    @Test("one trailing slash is ignored; an empty segment inside the path is not")
    func trailingSlash() async {
        var router = Router()
        router.get("/users") { _, res in res.send("users") }
        router.get("/users/:id") { req, res in res.send(req.params["id"] ?? "") }
        router.get("/") { _, res in res.send("root") }
        #expect(await send(router, "/users/").body == "users")
        #expect(await send(router, "/users/7/").body == "7")
        #expect(await send(router, "/users//7").status == .notFound)
        #expect(await send(router, "/").body == "root")
        #expect(await send(router, "").body == "root")
        #expect(await send(router, "users/7").body == "7")
    }

    @Test("static segments are case-sensitive; parameter values keep their case")
    func caseSensitivity() async {
        var router = Router()
        router.get("/users/:id") { req, res in res.send(req.params["id"] ?? "") }
        #expect(await send(router, "/Users/7").status == .notFound)
        #expect(await send(router, "/users/AbC").body == "AbC")
    }

    @Test("the query string is not matched and is parsed with repeated keys kept")
    func queryString() async {
        var router = Router()
        router.get("/search") { req, res in
            res.send("\(try req.query["q"] ?? "nil")|\(try req.query.all("tag").joined(separator: ","))|\(req.path)")
        }
        let outcome = await send(router, "/search?q=red+shoes&tag=a&tag=b%20c&empty")
        #expect(outcome.body == "red shoes|a,b c|/search")
    }

    @Test("a malformed escape in a query value the handler reads is 400 naming the parameter; unread ones are not checked")
    func malformedQueryValue() async {
        var router = Router()
        router.get("/search") { req, res in res.send(try req.query["q"] ?? "nil") }
        let bad = await send(router, "/search?q=100%&page=%zz")
        #expect(bad.status == .badRequest)
        #expect(bad.json["error"] as? String == #"malformed percent-encoding in query parameter "q""#)
        let unread = await send(router, "/search?q=ok&page=%zz")
        #expect(unread.status == .ok)
        #expect(unread.body == "ok")
    }

    @Test("+ is a literal plus in the path and a space in the query")
    func plusInPathAndQuery() async {
        var router = Router()
        router.get("/tags/:tag") { req, res in res.send("\(req.params["tag"] ?? "")|\(try req.query["q"] ?? "")") }
        #expect(await send(router, "/tags/c++?q=a+b%2Bc").body == "c++|a b+c")
    }

    @Test("no matching pattern is 404 with an error body")
    func notFound() async {
        var router = Router()
        router.get("/a") { _, res in res.send("a") }
        let outcome = await send(router, "/b")
        #expect(outcome.status == .notFound)
        #expect(outcome.json["error"] as? String == "not found")
    }

    @Test("a matching pattern without the method is 405 listing the allowed methods")
    func methodNotAllowed() async {
        var router = Router()
        router.get("/boards/:id") { _, res in res.send("get") }
        router.put("/boards/:id") { _, res in res.send("put") }
        router.delete("/boards/7") { _, res in res.send("delete") }
        let outcome = await send(router, .post, "/boards/7")
        #expect(outcome.status == .methodNotAllowed)
        #expect(outcome.json["error"] as? String == "method not allowed")
        #expect(outcome.body == #"{"error":"method not allowed","allowed":["GET","PUT","DELETE","HEAD","OPTIONS"]}"#)
        let other = await send(router, .post, "/boards/8")
        #expect(other.json["allowed"] as? [String] == ["GET", "PUT", "HEAD", "OPTIONS"])
    }

    @Test("HEAD runs the GET route and answers its status with an empty body")
    func headFallsBackToGet() async {
        let log = Log()
        var router = Router()
        router.get("/a") { req, res in
            log.add("\(req.method)")
            res.status(.accepted).send("body")
        }
        let outcome = await send(router, .head, "/a")
        #expect(outcome.status == .accepted)
        #expect(outcome.body.isEmpty)
        #expect(log.entries == ["HEAD"])
        #expect(await send(router, .head, "/missing").body.isEmpty)
    }

    @Test("an explicit HEAD route wins over the GET fallback")
    func explicitHead() async {
        var router = Router()
        router.get("/a") { _, res in res.status(.ok).send("get") }
        router.head("/a") { _, res in res.status(.noContent).end() }
        #expect(await send(router, .head, "/a").status == .noContent)
    }

    @Test("OPTIONS lists the allowed methods unless an OPTIONS route answers")
    func options() async {
        var router = Router()
        router.get("/a") { _, res in res.send("a") }
        router.post("/a") { _, res in res.send("a") }
        router.options("/b") { _, res in res.send("custom") }
        let outcome = await send(router, .options, "/a")
        #expect(outcome.status == .ok)
        #expect(outcome.body == #"{"allowed":["GET","POST","HEAD","OPTIONS"]}"#)
        #expect(await send(router, .options, "/b").body == "custom")
        #expect(await send(router, .options, "/c").status == .notFound)
    }

    @Test("all() answers every method, and a method-specific route beats it")
    func allMethods() async {
        var router = Router()
        router.all("/x") { req, res in res.send("all \(req.method)") }
        router.post("/x") { _, res in res.send("post") }
        #expect(await send(router, .patch, "/x").body == "all PATCH")
        #expect(await send(router, .post, "/x").body == "post")
    }

    @Test("registering the same method and pattern twice keeps the first and reports the second")
    func duplicateRoute() async {
        let log = Log()
        var router = loggingRouter(log)
        router.get("/a/:id") { _, res in res.send("first") }
        router.get("/a/:other") { _, res in res.send("second") }
        #expect(await send(router, "/a/1").body == "first")
        #expect(log.entries.count == 1)
        #expect(log.entries.first?.contains("already registered") == true)
    }

    @Test("match() reports the pattern and lazily decoded parameters")
    func matchAPI() {
        var router = Router()
        router.get("/repos/:owner/:repo/issues/:number") { _, res in res.send("") }
        router.get("/repos") { _, res in res.send("") }
        let found = router.match(.get, "/repos/apple/swift%2Dnio/issues/12?state=open")
        #expect(found?.pattern == "/repos/:owner/:repo/issues/:number")
        #expect(found?.parameters["repo"] == "swift-nio")
        #expect(found?.parameters.dictionary == ["owner": "apple", "repo": "swift-nio", "number": "12"])
        #expect(router.match(.get, "/repos")?.parameters.count == 0)
        #expect(router.match(.post, "/repos") == nil)
        #expect(router.match(.head, "/repos")?.method == .get)
    }

    @Test("a large table routes every registered path to its own route")
    func largeTable() {
        var router = Router()
        var paths: [(String, String)] = []
        for resource in 0..<30 {
            for action in ["", "/:id", "/:id/items", "/:id/items/:item", "/search", "/:id/items/latest"] {
                let pattern = "/r\(resource)" + action
                router.get(pattern) { _, res in res.send(pattern) }
                paths.append((pattern, pattern.replacingOccurrences(of: ":id", with: "5").replacingOccurrences(of: ":item", with: "9")))
            }
        }
        for (pattern, path) in paths {
            #expect(router.match(.get, path)?.pattern == pattern)
        }
    }

    @Test("4,000 routes registered one by one, statics in any order and in groups, each match their own path")
    func manyRoutes() async {
        var router = Router()
        var expected: [(pattern: String, path: String)] = []
        // Descending order, so every new static child lands before the existing ones.
        for index in (0..<3_000).reversed() {
            let pattern = "/v\(index % 7)/res\(index)/:id/\(index % 2 == 0 ? "items" : "tags")"
            router.get(pattern) { _, res in res.send(pattern) }
            expected.append((pattern, pattern.replacingOccurrences(of: ":id", with: "x\(index)")))
        }
        router.group("/g") { group in
            for index in 0..<1_000 {
                group.post("/n\(index)/:id") { _, res in res.send("g\(index)") }
            }
        }
        for (pattern, path) in expected {
            let found = router.match(.get, path)
            #expect(found?.pattern == pattern)
            #expect(found?.parameters["id"] == String(path.split(separator: "/")[2]))
        }
        for index in 0..<1_000 {
            #expect(router.match(.post, "/g/n\(index)/7")?.pattern == "/g/n\(index)/:id")
        }
        #expect(await send(router, "/v3/res10/7/items").body == "/v3/res10/:id/items")
        #expect(await send(router, "/v3/res10/7/nothing").status == .notFound)
    }
}
