import Foundation
import Testing
@testable import SwitchboardCore

@Suite("Typed routes")
struct TypedRouteTests {
    struct Board: Codable, Equatable, Sendable {
        var id: String
        var name: String
    }

    struct NewBoard: Codable, Sendable {
        var name: String
    }

    enum API {
        static let getBoard = Route<Empty, Board>.get("/boards/:id")
        static let createBoard = Route<NewBoard, Board>.post("/boards", successStatus: .created)
        static let file = Route<Empty, Empty>.get("/files/:owner/**")
        static let apiBoard = Route<Empty, Board>.get("/api/v1/boards/:id")
        static let apiCreate = Route<NewBoard, Board>.post("/api/v1/boards", successStatus: .created)
    }

    @Test("a registered typed route decodes its input and encodes its output with its status")
    func register() async throws {
        var router = Router()
        router.register(API.getBoard) { req, _ in Board(id: try req.params.require("id"), name: "Plans") }
        router.register(API.createBoard) { _, input async in Board(id: "new", name: input.name) }
        let got = await send(router, try API.getBoard.url(params: ["id": "7"]))
        #expect(got.status == .ok)
        #expect(got.inline)
        #expect(try JSONDecoder().decode(Board.self, from: Data(got.body.utf8)) == Board(id: "7", name: "Plans"))
        let made = await send(router, .post, try API.createBoard.url(), body: #"{"name":"Ideas"}"#)
        #expect(made.status == .created)
        #expect(try JSONDecoder().decode(Board.self, from: Data(made.body.utf8)) == Board(id: "new", name: "Ideas"))
        #expect(await send(router, .post, "/boards", body: #"{"title":1}"#).status == .badRequest)
    }

    @Test("url(params:) encodes values, keeps catch-all slashes and appends the query")
    func urlBuilding() throws {
        #expect(try API.getBoard.url(params: ["id": "a b/c"]) == "/boards/a%20b%2Fc")
        #expect(try API.file.url(params: ["owner": "me", "**": "docs/read me.md"], query: [("v", "1&2")]) == "/files/me/docs/read%20me.md?v=1%262")
        #expect(throws: RouteURLError.missingParameter("id")) { try API.getBoard.url() }
        #expect(throws: RouteURLError.emptyParameter("id")) { try API.getBoard.url(params: ["id": ""]) }
    }

    @Test("a url built by a route is matched back to the same route with the same values")
    func roundTrip() throws {
        var router = Router()
        router.register(API.getBoard) { _, _ in Board(id: "", name: "") }
        let url = try API.getBoard.url(params: ["id": "ü/%?&"])
        #expect(router.match(.get, url)?.parameters["id"] == "ü/%?&")
    }

    @Test("a typed route registered in a group whose prefix it starts with answers at its own path, once")
    func inGroup() async throws {
        var router = Router()
        router.group("/api") { api in
            api.group("/v1") { v1 in
                v1.register(API.apiBoard) { req, _ in Board(id: try req.params.require("id"), name: "Plans") }
            }
            api.register(API.apiCreate) { _, body in Board(id: "new", name: body.name) }
        }
        let url = try API.apiBoard.url(params: ["id": "7"])
        #expect(url == "/api/v1/boards/7")
        let got = await send(router, url)
        #expect(got.status == .ok)
        #expect(try JSONDecoder().decode(Board.self, from: Data(got.body.utf8)) == Board(id: "7", name: "Plans"))
        #expect(await send(router, "/api/api/v1/boards/7").status == .notFound)
        #expect(await send(router, "/api/v1/api/v1/boards/7").status == .notFound)
        #expect(await send(router, .post, try API.apiCreate.url(), body: #"{"name":"Ideas"}"#).status == .created)
    }

    @Test("a typed route outside its group's prefix, or in a router mounted with use, stops the program")
    func misuse() async {
        await #expect(processExitsWith: .failure) {
            var router = Router()
            router.group("/admin") { admin in admin.register(Route<Empty, Empty>.get("/api/x")) { _, _ in Empty() } }
        }
        await #expect(processExitsWith: .failure) {
            var sub = Router()
            sub.register(Route<Empty, Empty>.get("/x")) { _, _ in Empty() }
            var router = Router()
            router.use("/api", sub)
        }
    }

    @Test("the request body arrives decoded as Body; path parameters are read from req.params")
    func bodyAndParams() async throws {
        struct Rename: Codable, Sendable { var name: String }
        let rename = Route<Rename, Board>.put("/boards/:id")
        var router = Router()
        router.register(rename) { req, body in Board(id: try req.params.require("id"), name: body.name) }
        let got = await send(router, .put, try rename.url(params: ["id": "3"]), body: #"{"name":"New"}"#)
        #expect(try JSONDecoder().decode(Board.self, from: Data(got.body.utf8)) == Board(id: "3", name: "New"))
        let bad = await send(router, .put, "/boards/3", body: #"{"nam":"New"}"#)
        #expect(bad.json["error"] as? String == #"the request body is not a valid Rename: missing field "name""#)
    }
}
